//! A throwaway certificate authority and a server certificate for 127.0.0.1 it signed.

use std::fs;
use std::path::{Path, PathBuf};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};

pub struct TestPki {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
    /// A client certificate signed by the same CA, and its key.
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
}

/// Writes `ca.pem`, `server.pem`, `server.key`, `client.pem` and `client.key` into `dir`.
pub fn test_pki(dir: &Path) -> TestPki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "regsweep test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("CA key"))
        .expect("CA certificate");
    let key = KeyPair::generate().expect("server key");
    let cert = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .expect("server parameters")
        .signed_by(&key, &ca)
        .expect("server certificate");
    let client_key = KeyPair::generate().expect("client key");
    let mut client_params =
        CertificateParams::new(Vec::<String>::new()).expect("client parameters");
    client_params
        .distinguished_name
        .push(DnType::CommonName, "regsweep test client");
    client_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let client_cert = client_params
        .signed_by(&client_key, &ca)
        .expect("client certificate");
    let pki = TestPki {
        ca: dir.join("ca.pem"),
        cert: dir.join("server.pem"),
        key: dir.join("server.key"),
        client_cert: dir.join("client.pem"),
        client_key: dir.join("client.key"),
    };
    fs::write(&pki.client_cert, client_cert.pem()).expect("writing client.pem");
    fs::write(&pki.client_key, client_key.serialize_pem()).expect("writing client.key");
    fs::write(&pki.ca, ca.pem()).expect("writing ca.pem");
    fs::write(&pki.cert, cert.pem()).expect("writing server.pem");
    fs::write(&pki.key, key.serialize_pem()).expect("writing server.key");
    pki
}
