//! Devnet throughput: transactions per second of one operation, on the calling thread.

use std::time::Instant;

use alloy_primitives::{aliases::U96, Address, U256};
use xmtp_abi::{
    fee_token::IFeeToken, group_message_broadcaster::IGroupMessageBroadcaster,
    mock_underlying_fee_token::IMockUnderlyingFeeToken, payer_registry::IPayerRegistry,
};
use xmtp_devnet::{Chain, Tx};

use crate::meter::call_tx;

/// A throughput figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throughput {
    /// Transactions sent.
    pub transactions: u32,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl Throughput {
    /// Transactions per second.
    pub fn per_second(&self) -> f64 {
        f64::from(self.transactions) / self.seconds
    }
}

/// Sends `count` transactions made by `tx(i)` one after the other (each its own block, as the
/// devnet seals them) and times them; every one must succeed.
pub fn time(
    chain: &mut Chain,
    count: u32,
    mut tx: impl FnMut(u32) -> Tx,
) -> Result<Throughput, String> {
    let start = Instant::now();
    for i in 0..count {
        let receipt = chain.send(&tx(i)).map_err(|e| e.to_string())?;
        if !receipt.status {
            return Err(format!(
                "transaction {i} reverted with 0x{}",
                alloy_primitives::hex::encode(&receipt.output)
            ));
        }
    }
    Ok(Throughput {
        transactions: count,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// `addMessage` of a 100-byte payload through the broadcaster's proxy, `count` times.
pub fn add_message(
    chain: &mut Chain,
    from: Address,
    broadcaster: Address,
    count: u32,
) -> Result<Throughput, String> {
    let payload: Vec<u8> = (0..100u8).collect();
    time(chain, count, |i| {
        let mut group = [0u8; 16];
        group[..4].copy_from_slice(&i.to_be_bytes());
        call_tx(
            from,
            broadcaster,
            &IGroupMessageBroadcaster::addMessageCall {
                groupId_: group.into(),
                message_: payload.clone().into(),
            },
        )
    })
}

/// `PayerRegistry.deposit` of the minimum deposit (10 xUSD) for `from` through the proxy,
/// `count` times, after wrapping enough underlying into fee tokens (not timed). `from` must
/// have approved the fee token for the underlying and the registry for the fee token.
pub fn payer_deposit(
    chain: &mut Chain,
    from: Address,
    (underlying, fee_token, payer_registry): (Address, Address, Address),
    count: u32,
) -> Result<Throughput, String> {
    const AMOUNT: u64 = 10_000_000;
    let total = U256::from(AMOUNT) * U256::from(count);
    for (label, tx) in [
        (
            "mint",
            call_tx(
                from,
                underlying,
                &IMockUnderlyingFeeToken::mintCall {
                    to_: from,
                    amount_: total,
                },
            ),
        ),
        (
            "wrap",
            call_tx(from, fee_token, &IFeeToken::depositCall { amount_: total }),
        ),
    ] {
        let receipt = chain.send(&tx).map_err(|e| e.to_string())?;
        if !receipt.status {
            return Err(format!("{label} before the deposits reverted"));
        }
    }
    time(chain, count, |_| {
        call_tx(
            from,
            payer_registry,
            &IPayerRegistry::depositCall {
                payer_: from,
                amount_: U96::from(AMOUNT),
            },
        )
    })
}
