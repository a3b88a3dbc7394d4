# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_regsweep_global_optspecs
    string join \n registry= u/user= p/password= digest-auth= password-stdin store= store-password-file= gitlab= project= group= gitlab-token-stdin harbor= client-cert= client-key= v/verify= insecure c/cache= no-cache refresh count no-raise-intersecting-repo use-get-manifest l/log-level= concurrency= format= color= verbose q/quiet h/help V/version
end

function __fish_regsweep_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_regsweep_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_regsweep_using_subcommand
    set -l cmd (__fish_regsweep_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c regsweep -n "__fish_regsweep_needs_command" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_needs_command" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_needs_command" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_needs_command" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_needs_command" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_needs_command" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_needs_command" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_needs_command" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_needs_command" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_needs_command" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_needs_command" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_needs_command" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_needs_command" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_needs_command" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_needs_command" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_needs_command" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_needs_command" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_needs_command" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_needs_command" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_needs_command" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_needs_command" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_needs_command" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_needs_command" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_needs_command" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_needs_command" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_needs_command" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_needs_command" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_needs_command" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_needs_command" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_needs_command" -f -a "list-repo-names" -d 'List the repositories that hold a tag'
complete -c regsweep -n "__fish_regsweep_needs_command" -f -a "list-tag-names" -d 'List repositories and their tags'
complete -c regsweep -n "__fish_regsweep_needs_command" -f -a "usage" -d 'Show what takes space, per repository'
complete -c regsweep -n "__fish_regsweep_needs_command" -f -a "query-repos" -d 'Show what removing repositories would delete'
complete -c regsweep -n "__fish_regsweep_needs_command" -f -a "query-tags" -d 'Show what removing tags would delete'
complete -c regsweep -n "__fish_regsweep_needs_command" -f -a "remove-repos" -d 'Delete whole repositories\' manifests'
complete -c regsweep -n "__fish_regsweep_needs_command" -f -a "remove-tags" -d 'Delete the selected tags\' manifests'
complete -c regsweep -n "__fish_regsweep_needs_command" -f -a "query-untagged" -d 'Show manifests that lost their tags'
complete -c regsweep -n "__fish_regsweep_needs_command" -f -a "remove-untagged" -d 'Delete manifests that lost their tags'
complete -c regsweep -n "__fish_regsweep_needs_command" -f -a "restore" -d 'Put back what a removal deleted'
complete -c regsweep -n "__fish_regsweep_needs_command" -f -a "outdated" -d 'Say whether newer versions of images exist'
complete -c regsweep -n "__fish_regsweep_needs_command" -f -a "history" -d 'What a tag pointed to when'
complete -c regsweep -n "__fish_regsweep_needs_command" -f -a "serve" -d 'Run as a service: a REST API and web pages'
complete -c regsweep -n "__fish_regsweep_needs_command" -f -a "policy" -d 'Plan and apply retention policies from a file'
complete -c regsweep -n "__fish_regsweep_needs_command" -f -a "journal" -d 'List the journals removals wrote'
complete -c regsweep -n "__fish_regsweep_needs_command" -f -a "cache" -d 'Show or clear the cache of the registry'
complete -c regsweep -n "__fish_regsweep_needs_command" -f -a "config" -d 'Show the configuration and effective settings'
complete -c regsweep -n "__fish_regsweep_needs_command" -f -a "generate" -d 'Write the shell completions and man pages (for maintainers)'
complete -c regsweep -n "__fish_regsweep_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-repo-names" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l sort -d 'Order of the tags: version, name, size, created' -r -f -a "name\t''
version\t''
size\t''
created\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l all-tags -d 'Also list signatures\', SBOMs\' and attestations\' tags'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l reverse-sort -d 'List each repository\'s tags newest version first'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l image-names -d 'Print full image names, `REGISTRY/REPO:TAG`'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l long -d 'Also show digest, size, age and platforms'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand list-tag-names" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l sort -d 'Order of the repositories: size, name, tags' -r -f -a "size\t''
name\t''
tags\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l tags -d 'Also list every tag with its image size'
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand usage" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -s r -l repo -d 'Repositories to select' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l older-than -d 'Only images built longer ago than AGE' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l newer-than -d 'Only images built more recently than AGE' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l keep -d 'Keep the N newest of them in each repository' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l keep-by -d 'What "newest" means for --keep: created, version' -r -f -a "created\t''
version\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l tagged-before -d 'Only tags first seen on their image before DATE' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l not-pulled-for -d 'Only tags whose image was not pulled for AGE' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l keep-referrers -d 'Leave removed images\' signatures and SBOMs'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l orphaned-referrers -d 'Select signatures and SBOMs of gone images'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l details -d 'Read missing sizes, for an exact total'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-repos" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -s r -l repo -d 'Repositories to select tags in' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -s t -l tags -d 'Tags to select: names or version selectors' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l regex -d 'Regular expressions selecting tags (-re)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -s x -l exclude -d 'Leave out digests with a tag matching these' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l exclude-regex -d 'Leave out digests with a tag matching (-xre)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l older-than -d 'Only images built longer ago than AGE' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l newer-than -d 'Only images built more recently than AGE' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l keep -d 'Keep the N newest of them in each repository' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l keep-by -d 'What "newest" means for --keep: created, version' -r -f -a "created\t''
version\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l tagged-before -d 'Only tags first seen on their image before DATE' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l not-pulled-for -d 'Only tags whose image was not pulled for AGE' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l no-match-all-tags -d 'Take a digest\'s unselected tags with it'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l raise-intersecting-tag -d 'Exit 7 where unselected tags hold a digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l untag-only -d 'Remove the tags, leave their manifests'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l untag-partial -d 'Untag where a digest has unselected tags'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l keep-referrers -d 'Leave removed images\' signatures and SBOMs'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l orphaned-referrers -d 'Select signatures and SBOMs of gone images'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l details -d 'Read missing sizes, for an exact total'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-tags" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -s r -l repo -d 'Repositories to select' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l older-than -d 'Only images built longer ago than AGE' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l newer-than -d 'Only images built more recently than AGE' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l keep -d 'Keep the N newest of them in each repository' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l keep-by -d 'What "newest" means for --keep: created, version' -r -f -a "created\t''
version\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l tagged-before -d 'Only tags first seen on their image before DATE' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l not-pulled-for -d 'Only tags whose image was not pulled for AGE' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -s y -l yes -d 'Delete without asking'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l dry-run -d 'Show the plan, delete nothing'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l gc -d 'Then run Harbor\'s garbage collection'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l keep-referrers -d 'Leave removed images\' signatures and SBOMs'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l orphaned-referrers -d 'Select signatures and SBOMs of gone images'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-repos" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -s r -l repo -d 'Repositories to select tags in' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -s t -l tags -d 'Tags to select: names or version selectors' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l regex -d 'Regular expressions selecting tags (-re)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -s x -l exclude -d 'Leave out digests with a tag matching these' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l exclude-regex -d 'Leave out digests with a tag matching (-xre)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l older-than -d 'Only images built longer ago than AGE' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l newer-than -d 'Only images built more recently than AGE' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l keep -d 'Keep the N newest of them in each repository' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l keep-by -d 'What "newest" means for --keep: created, version' -r -f -a "created\t''
version\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l tagged-before -d 'Only tags first seen on their image before DATE' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l not-pulled-for -d 'Only tags whose image was not pulled for AGE' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -s y -l yes -d 'Delete without asking'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l dry-run -d 'Show the plan, delete nothing'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l gc -d 'Then run Harbor\'s garbage collection'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l allow-unmatched -d 'Delete even when an -x/-xre matches no tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l no-match-all-tags -d 'Take a digest\'s unselected tags with it'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l raise-intersecting-tag -d 'Exit 7 where unselected tags hold a digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l untag-only -d 'Remove the tags, leave their manifests'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l untag-partial -d 'Untag where a digest has unselected tags'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l keep-referrers -d 'Leave removed images\' signatures and SBOMs'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l orphaned-referrers -d 'Select signatures and SBOMs of gone images'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-tags" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -s r -l repo -d 'Repositories to look in (default: all)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l older-than -d 'Only manifests untagged longer ago than AGE' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l keep-referrers -d 'Leave removed manifests\' signatures and SBOMs'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l details -d 'Read missing sizes, for an exact total'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand query-untagged" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -s r -l repo -d 'Repositories to look in (default: all)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l older-than -d 'Only manifests untagged longer ago than AGE' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -s y -l yes -d 'Delete without asking'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l dry-run -d 'Show the plan, delete nothing'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l gc -d 'Then run Harbor\'s garbage collection'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l keep-referrers -d 'Leave removed manifests\' signatures and SBOMs'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand remove-untagged" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -s r -l repo -d 'Only restore these repositories' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand restore" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l from -d 'Also read references from a file (`-`: stdin)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand outdated" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand history" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l config -d 'The configuration file (TOML); these options override it' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l listen -d 'Address to listen on [default: 127.0.0.1:8080]' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l refresh-interval -d 'How often to read the whole registry [default: 1h]' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l print-default-config -d 'Print a commented default configuration'
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l no-auth -d 'Serve without login (loopback only)'
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand serve" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -f -a "init" -d 'Write a commented example policy to start from'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -f -a "plan" -d 'Show the whole registry\'s plan from the cache: per repository what each rule selects, what protection keeps and why, what it frees'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -f -a "apply" -d 'Delete what the policy\'s plan deletes: the same plan, confirmed, re-checked live, journaled'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and not __fish_seen_subcommand_from init plan apply help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l policy -d 'The policy file' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l force -d 'Replace an existing file'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from init" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l policy -d 'The policy file' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l explain -d 'Say for one tag (REPO:TAG, or TAG in every repository) what each rule says of it and which one decided its fate' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l out -d 'Save the plan to FILE for `policy apply --plan-file`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from plan" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l policy -d 'The policy file' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l plan-file -d 'Apply the plan saved by `policy plan --out FILE`, refusing if the registry drifted' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l max-delete -d 'Refuse a plan deleting more than N manifests' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -s y -l yes -d 'Delete without asking'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l dry-run -d 'Show the plan, delete nothing'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l gc -d 'Then run Harbor\'s garbage collection'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from apply" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "init" -d 'Write a commented example policy to start from'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "plan" -d 'Show the whole registry\'s plan from the cache: per repository what each rule selects, what protection keeps and why, what it frees'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "apply" -d 'Delete what the policy\'s plan deletes: the same plan, confirmed, re-checked live, journaled'
complete -c regsweep -n "__fish_regsweep_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -f -a "list" -d 'List the journals of the registry'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and not __fish_seen_subcommand_from list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the journals of the registry'
complete -c regsweep -n "__fish_regsweep_using_subcommand journal; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -f -a "info" -d 'Show where the registry\'s cache is, how old it is and what it holds'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -f -a "clear" -d 'Delete the registry\'s cache file'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and not __fish_seen_subcommand_from info clear help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from info" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -s y -l yes -d 'Clear without asking, even when the cache holds history the registry cannot give back'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from clear" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "info" -d 'Show where the registry\'s cache is, how old it is and what it holds'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "clear" -d 'Delete the registry\'s cache file'
complete -c regsweep -n "__fish_regsweep_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -f -a "list" -d 'List the named registries of the configuration file'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -f -a "show" -d 'Show the effective settings and their origin'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and not __fish_seen_subcommand_from list show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the named registries of the configuration file'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show the effective settings and their origin'
complete -c regsweep -n "__fish_regsweep_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l out-dir -d 'Directory holding `completions/` and `man/`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l registry -d 'The registry: host[:port] or a URL (-reg)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -s u -l user -d 'User to log in as (Basic, Digest or token authentication, as the registry asks). Without --user, Docker\'s configuration is used (credential helpers, credsStore, auths)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -s p -l password -d 'Password for --user. Prefer the environment variable to keep it out of the process list' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l digest-auth -d 'Answer an HTTP Digest challenge rather than Basic when the registry offers both' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l store -d 'Where the service\'s state is: a PostgreSQL URL shared by the service\'s replicas and by commands on other hosts (pulls, tags\' history, the inventory). Without it the state is embedded: the cache files and an SQLite file beside the journals. The password: in the URL, from --store-password-file, or PGPASSWORD' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l store-password-file -d 'A file holding the store\'s password (its first line)' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l gitlab -d 'GitLab\'s address; its registry\'s repositories are found through its REST API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l project -d 'A project whose registry repositories to work on; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l group -d 'A group (path or numeric id) whose projects\' registry repositories to work on, subgroups included; repeatable' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l harbor -d 'Harbor\'s address; its projects\' repositories and artifacts are read through its API' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l client-cert -d 'Client certificate (PEM); it may include the key. Also spelled `-cert`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l client-key -d 'Key of the client certificate (PEM). Also spelled `-key`' -r -F
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -s v -l verify -d 'Extra trusted CA bundle (PEM); `None` disables certificate verification. SSL_CERT_FILE is also read' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -s c -l cache -d 'Cache file to use instead of the per-registry default; `None` (also `false`, `0`, `no`) disables the cache' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l concurrency -d 'How many requests may be in flight at once, 1 to 256. Without it regsweep finds the registry\'s limit by itself: it starts at 8, grows while answers stay quick and healthy, backs off on 429, 5xx, timeouts and broken connections, and never exceeds 512 over HTTP/1.1 or 1,024 over HTTP/2 (up to eight connections of 128 streams)' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l format -d 'Output format: auto (a table on a terminal, dregutil\'s plain columns when piped), table, plain, json, or a template of the JSON fields, one line per row' -r
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -s l -l log-level -d 'Log level of the diagnostics written to stderr (any case; `warn`, `critical` also accepted) [default: warning; info for `serve`, which logs one line per request]' -r -f -a "debug\t''
info\t''
warning\t''
error\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l color -d 'Colour in tables (what goes red, what changes yellow, what stays green) and warnings: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l check -d 'Do not write: fail when the files on disk differ from what would be generated'
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l password-stdin -d 'Read the password for --user from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l gitlab-token-stdin -d 'Read the GitLab token (personal, project, group or deploy token) from the first line of standard input'
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l insecure -d 'Do not verify the registry\'s TLS certificate (same as `--verify None`); a warning says so'
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l no-cache -d 'Disable the cache: read the registry live and write nothing (same as `-c None`)'
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l refresh -d 'Reload everything from the registry and rewrite the cache'
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l count -d 'Print the number of listed items after the list, under a dashed line (not with JSON, whose array has a length)'
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l no-raise-intersecting-repo -d 'Leave out digests other repositories tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l use-get-manifest -d 'Read digests with GET instead of HEAD (needed by Nexus). Without it, GET is still used where HEAD is refused or gives no digest'
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -l verbose -d 'Say how long each phase took (refresh, details, re-check, journal, deletes) on stderr. (-v is dregutil\'s --verify.)'
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -s q -l quiet -d 'Silence the progress bar and notes on stderr (warnings and errors are still shown)'
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c regsweep -n "__fish_regsweep_using_subcommand generate" -s V -l version -d 'Print version'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and not __fish_seen_subcommand_from list-repo-names list-tag-names usage query-repos query-tags remove-repos remove-tags query-untagged remove-untagged restore outdated history serve policy journal cache config generate help" -f -a "list-repo-names" -d 'List the repositories that hold a tag'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and not __fish_seen_subcommand_from list-repo-names list-tag-names usage query-repos query-tags remove-repos remove-tags query-untagged remove-untagged restore outdated history serve policy journal cache config generate help" -f -a "list-tag-names" -d 'List repositories and their tags'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and not __fish_seen_subcommand_from list-repo-names list-tag-names usage query-repos query-tags remove-repos remove-tags query-untagged remove-untagged restore outdated history serve policy journal cache config generate help" -f -a "usage" -d 'Show what takes space, per repository'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and not __fish_seen_subcommand_from list-repo-names list-tag-names usage query-repos query-tags remove-repos remove-tags query-untagged remove-untagged restore outdated history serve policy journal cache config generate help" -f -a "query-repos" -d 'Show what removing repositories would delete'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and not __fish_seen_subcommand_from list-repo-names list-tag-names usage query-repos query-tags remove-repos remove-tags query-untagged remove-untagged restore outdated history serve policy journal cache config generate help" -f -a "query-tags" -d 'Show what removing tags would delete'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and not __fish_seen_subcommand_from list-repo-names list-tag-names usage query-repos query-tags remove-repos remove-tags query-untagged remove-untagged restore outdated history serve policy journal cache config generate help" -f -a "remove-repos" -d 'Delete whole repositories\' manifests'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and not __fish_seen_subcommand_from list-repo-names list-tag-names usage query-repos query-tags remove-repos remove-tags query-untagged remove-untagged restore outdated history serve policy journal cache config generate help" -f -a "remove-tags" -d 'Delete the selected tags\' manifests'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and not __fish_seen_subcommand_from list-repo-names list-tag-names usage query-repos query-tags remove-repos remove-tags query-untagged remove-untagged restore outdated history serve policy journal cache config generate help" -f -a "query-untagged" -d 'Show manifests that lost their tags'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and not __fish_seen_subcommand_from list-repo-names list-tag-names usage query-repos query-tags remove-repos remove-tags query-untagged remove-untagged restore outdated history serve policy journal cache config generate help" -f -a "remove-untagged" -d 'Delete manifests that lost their tags'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and not __fish_seen_subcommand_from list-repo-names list-tag-names usage query-repos query-tags remove-repos remove-tags query-untagged remove-untagged restore outdated history serve policy journal cache config generate help" -f -a "restore" -d 'Put back what a removal deleted'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and not __fish_seen_subcommand_from list-repo-names list-tag-names usage query-repos query-tags remove-repos remove-tags query-untagged remove-untagged restore outdated history serve policy journal cache config generate help" -f -a "outdated" -d 'Say whether newer versions of images exist'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and not __fish_seen_subcommand_from list-repo-names list-tag-names usage query-repos query-tags remove-repos remove-tags query-untagged remove-untagged restore outdated history serve policy journal cache config generate help" -f -a "history" -d 'What a tag pointed to when'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and not __fish_seen_subcommand_from list-repo-names list-tag-names usage query-repos query-tags remove-repos remove-tags query-untagged remove-untagged restore outdated history serve policy journal cache config generate help" -f -a "serve" -d 'Run as a service: a REST API and web pages'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and not __fish_seen_subcommand_from list-repo-names list-tag-names usage query-repos query-tags remove-repos remove-tags query-untagged remove-untagged restore outdated history serve policy journal cache config generate help" -f -a "policy" -d 'Plan and apply retention policies from a file'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and not __fish_seen_subcommand_from list-repo-names list-tag-names usage query-repos query-tags remove-repos remove-tags query-untagged remove-untagged restore outdated history serve policy journal cache config generate help" -f -a "journal" -d 'List the journals removals wrote'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and not __fish_seen_subcommand_from list-repo-names list-tag-names usage query-repos query-tags remove-repos remove-tags query-untagged remove-untagged restore outdated history serve policy journal cache config generate help" -f -a "cache" -d 'Show or clear the cache of the registry'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and not __fish_seen_subcommand_from list-repo-names list-tag-names usage query-repos query-tags remove-repos remove-tags query-untagged remove-untagged restore outdated history serve policy journal cache config generate help" -f -a "config" -d 'Show the configuration and effective settings'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and not __fish_seen_subcommand_from list-repo-names list-tag-names usage query-repos query-tags remove-repos remove-tags query-untagged remove-untagged restore outdated history serve policy journal cache config generate help" -f -a "generate" -d 'Write the shell completions and man pages (for maintainers)'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and not __fish_seen_subcommand_from list-repo-names list-tag-names usage query-repos query-tags remove-repos remove-tags query-untagged remove-untagged restore outdated history serve policy journal cache config generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "init" -d 'Write a commented example policy to start from'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "plan" -d 'Show the whole registry\'s plan from the cache: per repository what each rule selects, what protection keeps and why, what it frees'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "apply" -d 'Delete what the policy\'s plan deletes: the same plan, confirmed, re-checked live, journaled'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and __fish_seen_subcommand_from journal" -f -a "list" -d 'List the journals of the registry'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and __fish_seen_subcommand_from cache" -f -a "info" -d 'Show where the registry\'s cache is, how old it is and what it holds'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and __fish_seen_subcommand_from cache" -f -a "clear" -d 'Delete the registry\'s cache file'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "list" -d 'List the named registries of the configuration file'
complete -c regsweep -n "__fish_regsweep_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Show the effective settings and their origin'
