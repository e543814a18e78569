//! The payer-report digest and the signature checks (spec §5.4.1, §10, OpenZeppelin's
//! `ECDSA.recover`), differential:
//!
//! * the toolkit's digest (`xmtp_reports`) against one written here from §10's text, for any
//!   report fields, domain and node ids;
//! * a node's signature, mutated (EIP-2098 compact form, high `s` with the other `v`, any `v`,
//!   any length, flipped bytes, another key, another report's digest), through the program
//!   code (`xmtp_core::ecdsa::try_recover_calldata`, solady's rules, and `recover`,
//!   OpenZeppelin's) on a `MockHost`, whose `ecrecover` precompile is answered by the devnet's
//!   real precompile. The expected outcome is computed here from the rules with k256;
//!   a call the model does not expect is refused by the host (a crash).
//!
//! A signature is *accepted* when the recovered address is the node's signer: exactly the
//! no-op, compact and high-`s` forms of the signer's own signature over this digest are.

use std::cell::RefCell;

use alloy_primitives::{address, keccak256, Address, B256, U256};
use k256::ecdsa::{RecoveryId, Signature, SigningKey, VerifyingKey};
use xmtp_abi::oz_ecdsa::{ECDSAInvalidSignature, ECDSAInvalidSignatureS};
use xmtp_core::{
    ecdsa,
    revert::Bubbled,
    testing::{CallKind, MockHost},
};
use xmtp_devnet::{Chain, Tx};
use xmtp_reports::{Domain, PayerReport};

use crate::input::Input;

/// The secp256k1 group order.
const ORDER: U256 = U256::from_be_bytes(alloy_primitives::hex!(
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"
));

/// Pays for the `eth_call`s to the precompile.
const CALLER: Address = address!("0x00000000000000000000000000000000000ca11e");

thread_local! {
    static CHAIN: RefCell<Chain> = RefCell::new({
        let mut chain = Chain::new(1);
        chain.fund(CALLER, U256::from(10u64).pow(U256::from(30u64)));
        chain
    });
}

/// What OpenZeppelin's `recover` ends in.
#[derive(Debug, PartialEq)]
enum Recovered {
    Signer(Address),
    InvalidSignature,
    InvalidSignatureS(B256),
    Bubbled(Vec<u8>),
}

impl From<ECDSAInvalidSignature> for Recovered {
    fn from(_: ECDSAInvalidSignature) -> Self {
        Self::InvalidSignature
    }
}
impl From<ECDSAInvalidSignatureS> for Recovered {
    fn from(e: ECDSAInvalidSignatureS) -> Self {
        Self::InvalidSignatureS(e.s)
    }
}
impl From<Bubbled> for Recovered {
    fn from(e: Bubbled) -> Self {
        Self::Bubbled(e.0)
    }
}

/// §10 from its text: typehash of the type string, node ids ABI-encoded as a dynamic array.
fn spec_digest(report: &PayerReport, chain_id: u64, contract: Address) -> B256 {
    let word = |n: u64| U256::from(n).to_be_bytes::<32>();
    let typehash = keccak256(
        "PayerReport(uint32 originatorNodeId,uint64 startSequenceId,uint64 endSequenceId,\
         uint32 endMinuteSinceEpoch,bytes32 payersMerkleRoot,uint32[] nodeIds)",
    );
    let mut ids = [word(0x20), word(report.node_ids.len() as u64)].concat();
    for id in &report.node_ids {
        ids.extend_from_slice(&word(u64::from(*id)));
    }
    let struct_hash = keccak256(
        [
            typehash.as_slice(),
            &word(u64::from(report.originator_node_id)),
            &word(report.start_sequence_id),
            &word(report.end_sequence_id),
            &word(u64::from(report.end_minute_since_epoch)),
            report.payers_merkle_root.as_slice(),
            keccak256(&ids).as_slice(),
        ]
        .concat(),
    );
    let domain_typehash = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)",
    );
    let separator = keccak256(
        [
            domain_typehash.as_slice(),
            keccak256("PayerReportManager").as_slice(),
            keccak256("1").as_slice(),
            &word(chain_id),
            contract.into_word().as_slice(),
        ]
        .concat(),
    );
    keccak256(
        [
            [0x19, 0x01].as_slice(),
            separator.as_slice(),
            struct_hash.as_slice(),
        ]
        .concat(),
    )
}

/// What the `ecrecover` precompile returns, from k256: nothing unless `v` is 27 or 28 and
/// `r`, `s` are in `1 .. n`; a high `s` is the low one with the other parity (k256 only
/// verifies low `s`).
fn model_ecrecover(digest: B256, v: u8, r: B256, s: B256) -> Option<Address> {
    let parity = v.checked_sub(27).filter(|p| *p < 2)?;
    let (r, mut s) = (U256::from_be_bytes(r.0), U256::from_be_bytes(s.0));
    if r.is_zero() || s.is_zero() || r >= ORDER || s >= ORDER {
        return None;
    }
    let mut parity = parity;
    if s > ecdsa::MAX_S {
        s = ORDER - s;
        parity ^= 1;
    }
    let signature = Signature::from_scalars(r.to_be_bytes::<32>(), s.to_be_bytes::<32>()).ok()?;
    let key = VerifyingKey::recover_from_prehash(
        digest.as_slice(),
        &signature,
        RecoveryId::from_byte(parity)?,
    )
    .ok()?;
    let point = key.to_encoded_point(false);
    Some(Address::from_raw_public_key(&point.as_bytes()[1..]))
}

/// solady's `tryRecoverCalldata` from §5.4.1: how a signature splits into `(v, r, s)`.
fn model_split(signature: &[u8]) -> Option<(u8, B256, B256)> {
    match signature.len() {
        65 => Some((
            signature[64],
            B256::from_slice(&signature[..32]),
            B256::from_slice(&signature[32..64]),
        )),
        64 => {
            let mut s = B256::from_slice(&signature[32..]);
            let v = 27 + (s[0] >> 7);
            s[0] &= 0x7f;
            Some((v, B256::from_slice(&signature[..32]), s))
        }
        _ => None,
    }
}

/// The devnet's precompile answer for `(digest, v, r, s)`, mocked on `host`; checked against
/// the model.
fn answer_precompile(host: &MockHost, digest: B256, v: u8, r: B256, s: B256) {
    let input = ecdsa::ecrecover_input(digest, v, r, s);
    let output = CHAIN.with(|chain| {
        let receipt = chain
            .borrow_mut()
            .call(&Tx::call(CALLER, ecdsa::ECRECOVER, input.to_vec()))
            .expect("accepted");
        assert!(receipt.status, "the precompile does not revert");
        receipt.output.to_vec()
    });
    let chain_says = (output.len() == 32).then(|| Address::from_word(B256::from_slice(&output)));
    assert_eq!(
        chain_says,
        model_ecrecover(digest, v, r, s),
        "precompile and k256 disagree on v {v} r {r} s {s}"
    );
    host.mock(
        CallKind::Static,
        ecdsa::ECRECOVER,
        input.to_vec(),
        Ok(output),
    );
}

fn key_from(input: &mut Input<'_>) -> SigningKey {
    let bytes = input.bytes::<32>();
    SigningKey::from_slice(&bytes)
        .unwrap_or_else(|_| SigningKey::from_slice(&[0x11; 32]).expect("a valid scalar"))
}

/// Runs one fuzz input.
pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let key = key_from(&mut input);
    let report = PayerReport {
        originator_node_id: input.u32(),
        start_sequence_id: input.u64(),
        end_sequence_id: input.u64(),
        end_minute_since_epoch: input.u32(),
        payers_merkle_root: B256::from(input.bytes::<32>()),
        node_ids: (0..input.upto(6)).map(|_| input.u32()).collect(),
    };
    let domain = Domain {
        chain_id: input.u64(),
        verifying_contract: Address::from(input.bytes::<20>()),
    };
    let digest = report.digest(&domain);
    assert_eq!(
        digest,
        spec_digest(&report, domain.chain_id, domain.verifying_contract),
        "digest of {report:?}"
    );

    let signer = xmtp_reports::signer_address(&key);
    let full = xmtp_reports::sign(&key, digest).expect("signs");
    let (mut signature, should_accept) = mutated(&mut input, &key, &report, &domain, digest, full);
    if input.u8() & 1 == 1 && signature.len() == 65 {
        // Also as EIP-2098, which only carries `v` 27 and 28 and a low `s`.
        let mut compact = signature[..64].to_vec();
        let v = signature[64];
        let s_high = compact[32] & 0x80 != 0;
        compact[32] |= (v.wrapping_sub(27) & 1) << 7;
        let same = (v == 27 || v == 28) && !s_high;
        signature = compact;
        if !same {
            // Another `(v, s)` than the original: whatever the model says.
            let recovered = expected_solady(digest, &signature);
            check_solady(digest, &signature, recovered);
            return;
        }
    }

    let expected = expected_solady(digest, &signature);
    assert_eq!(
        expected == signer,
        should_accept,
        "acceptance of 0x{} for {signer}",
        alloy_primitives::hex::encode(&signature)
    );
    check_solady(digest, &signature, expected);

    // OpenZeppelin's rules on the same (v, r, s).
    if let Some((v, r, s)) = model_split(&signature) {
        let host = MockHost::new();
        let expected = if U256::from_be_bytes(s.0) > ecdsa::MAX_S {
            Recovered::InvalidSignatureS(s)
        } else {
            answer_precompile(&host, digest, v, r, s);
            model_ecrecover(digest, v, r, s).map_or(Recovered::InvalidSignature, Recovered::Signer)
        };
        let got = ecdsa::recover::<Recovered>(&host.sdk_vm(), digest, v, r, s);
        let got = got.map_or_else(|e| e, Recovered::Signer);
        assert_eq!(got, expected, "recover(v {v}, r {r}, s {s})");
    }
}

/// The node's signature `full` over `digest`, mutated as the input says, and whether the
/// mutation is still the node's signature of this report.
fn mutated(
    input: &mut Input<'_>,
    key: &SigningKey,
    report: &PayerReport,
    domain: &Domain,
    digest: B256,
    full: [u8; 65],
) -> (Vec<u8>, bool) {
    let signer = xmtp_reports::signer_address(key);
    match input.u8() % 9 {
        0 => (full.to_vec(), true),
        1 => (
            xmtp_reports::sign_compact(key, digest)
                .expect("signs")
                .to_vec(),
            true,
        ),
        2 => {
            // The same signature with `n − s` and the other `v`: solady accepts it.
            let s = ORDER - U256::from_be_slice(&full[32..64]);
            let mut high = full;
            high[32..64].copy_from_slice(&s.to_be_bytes::<32>());
            high[64] = 55 - high[64];
            (high.to_vec(), true)
        }
        3 => {
            let mut other = full;
            other[64] = input.u8();
            (other.to_vec(), other[64] == full[64])
        }
        4 => {
            let len = usize::from(input.u8() % 80);
            let mut other = full.to_vec();
            other.resize(len, input.u8());
            // The full 65 bytes are the signature; cut to 64 they read as EIP-2098 with the
            // top bit of a low `s` clear, which is the same signature when `v` was 27.
            let accept = len == 65 || (len == 64 && full[64] == 27);
            (other, accept)
        }
        5 => {
            let other = key_from(input);
            let accept = xmtp_reports::signer_address(&other) == signer;
            (
                xmtp_reports::sign(&other, digest).expect("signs").to_vec(),
                accept,
            )
        }
        6 => {
            let mut other = full;
            let at = usize::from(input.u8() % 64);
            let mask = input.u8().max(1);
            other[at] ^= mask;
            // A flipped byte recovers another key, or nothing (a collision is not expected).
            (other.to_vec(), false)
        }
        7 => {
            // Replay: the signature of another report (one field changed) for this one.
            let mut other = report.clone();
            other.end_sequence_id = other.end_sequence_id.wrapping_add(1);
            let replayed = xmtp_reports::sign(key, other.digest(domain)).expect("signs");
            (replayed.to_vec(), false)
        }
        _ => (input.vec(70), false),
    }
}

/// The address solady's rules recover (zero for nothing).
fn expected_solady(digest: B256, signature: &[u8]) -> Address {
    model_split(signature)
        .and_then(|(v, r, s)| model_ecrecover(digest, v, r, s))
        .unwrap_or(Address::ZERO)
}

/// `try_recover_calldata` on a host answering only the call the model expects.
fn check_solady(digest: B256, signature: &[u8], expected: Address) {
    let host = MockHost::new();
    if let Some((v, r, s)) = model_split(signature) {
        answer_precompile(&host, digest, v, r, s);
    }
    let got = ecdsa::try_recover_calldata(&host.sdk_vm(), digest, signature);
    assert_eq!(
        got,
        expected,
        "tryRecoverCalldata(0x{})",
        alloy_primitives::hex::encode(signature)
    );
    let calls = host.calls().len();
    assert_eq!(
        calls,
        usize::from(model_split(signature).is_some()),
        "precompile calls"
    );
}
