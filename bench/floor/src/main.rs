//! floor KEY.pk8.pem [BODY_BYTES] [SECONDS] [ROUNDS]
//!
//! Prints one JSON line per backend: operations per second on one thread,
//! where one operation is SHA-256 over BODY_BYTES (default 10240) plus an
//! RSA PKCS#1 v1.5 SHA-256 verify of a signature over 600 bytes, done the way
//! mail-auth 0.15 does it for each backend:
//!   aws-lc-rs: digest::SHA256 for the body, UnparsedPublicKey
//!              (RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY) on the
//!              RSAPublicKey DER, parsed on each verify as mail-auth does;
//!   rust-crypto: sha2::Sha256 for the body, rsa 0.9 pkcs1v15 VerifyingKey.
use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::Engine;

fn pem_der(pem: &str) -> Vec<u8> {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("PEM base64")
}

/// Runs `op` for `secs` seconds, `rounds` times; returns ops/s per round.
fn measure(secs: f64, rounds: usize, mut op: impl FnMut()) -> Vec<f64> {
    for _ in 0..50 {
        op();
    }
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            let limit = Duration::from_secs_f64(secs);
            let mut n = 0u64;
            while start.elapsed() < limit {
                for _ in 0..20 {
                    op();
                }
                n += 20;
            }
            n as f64 / start.elapsed().as_secs_f64()
        })
        .collect()
}

fn report(backend: &str, body: usize, mut r: Vec<f64>) {
    r.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let med = r[r.len() / 2];
    println!(
        "{{\"backend\":\"{backend}\",\"body_bytes\":{body},\"rounds\":{},\"ops_per_s_median\":{med:.1},\"ops_per_s_min\":{:.1},\"ops_per_s_max\":{:.1},\"us_per_op\":{:.2}}}",
        r.len(),
        r[0],
        r[r.len() - 1],
        1e6 / med
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let pem = std::fs::read_to_string(&args[1]).expect("read key");
    let body_len: usize = args.get(2).map_or(10240, |s| s.parse().unwrap());
    let secs: f64 = args.get(3).map_or(1.0, |s| s.parse().unwrap());
    let rounds: usize = args.get(4).map_or(3, |s| s.parse().unwrap());
    let der = pem_der(&pem);
    let body: Vec<u8> = (0..body_len)
        .map(|i| b"abcdefghij klmnop\r\n"[i % 19])
        .collect();
    let headers: Vec<u8> = (0..600)
        .map(|i| b"from:news <a@b.example>\r\n"[i % 25])
        .collect();

    // aws-lc-rs
    {
        use aws_lc_rs::digest::{SHA256, digest};
        use aws_lc_rs::rand::SystemRandom;
        use aws_lc_rs::signature::{
            KeyPair, RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY, RSA_PKCS1_SHA256, RsaKeyPair,
            UnparsedPublicKey,
        };
        let kp = RsaKeyPair::from_pkcs8(&der).expect("aws-lc-rs key");
        let mut sig = vec![0; kp.public_modulus_len()];
        kp.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), &headers, &mut sig)
            .unwrap();
        let pk = kp.public_key().as_ref().to_vec();
        let r = measure(secs, rounds, || {
            black_box(digest(&SHA256, black_box(&body)));
            UnparsedPublicKey::new(
                &RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                black_box(&pk),
            )
            .verify(black_box(&headers), black_box(&sig))
            .expect("aws-lc-rs verify");
        });
        report("aws-lc-rs", body_len, r);
    }

    // rust-crypto (rsa 0.9 + sha2)
    {
        use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
        use rsa::pkcs8::DecodePrivateKey;
        use rsa::signature::{SignatureEncoding, Signer, Verifier};
        use sha2::{Digest, Sha256};
        let key = rsa::RsaPrivateKey::from_pkcs8_der(&der).expect("rsa key");
        let sig = SigningKey::<Sha256>::new(key.clone())
            .sign(&headers)
            .to_vec();
        let vk = VerifyingKey::<Sha256>::new(key.to_public_key());
        let sig = Signature::try_from(sig.as_slice()).unwrap();
        let r = measure(secs, rounds, || {
            black_box(Sha256::digest(black_box(&body)));
            vk.verify(black_box(&headers), black_box(&sig))
                .expect("rsa verify");
        });
        report("rust-crypto", body_len, r);
    }
}
