//! Addresses and ranges of addresses, as the configuration names trusted
//! proxies and who may read `/metrics`.

use std::net::IpAddr;
use std::str::FromStr;

use super::ConfigError;

/// An address or a range of addresses (`192.0.2.10`, `10.0.0.0/8`, `fd00::/8`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddressRange {
    network: IpAddr,
    prefix: u8,
}

impl AddressRange {
    /// 127.0.0.0/8: this machine, over IPv4.
    pub fn loopback_v4() -> AddressRange {
        AddressRange { network: IpAddr::from([127, 0, 0, 0]), prefix: 8 }
    }

    /// ::1: this machine, over IPv6.
    pub fn loopback_v6() -> AddressRange {
        AddressRange { network: IpAddr::from(std::net::Ipv6Addr::LOCALHOST), prefix: 128 }
    }

    /// Whether `address` is in the range.
    pub fn contains(&self, address: IpAddr) -> bool {
        // An IPv4 address may arrive written as IPv6 (::ffff:a.b.c.d).
        let address = match address {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
            v4 => v4,
        };
        match (self.network, address) {
            (IpAddr::V4(net), IpAddr::V4(a)) => {
                same_prefix(u128::from(u32::from(net)) << 96, u128::from(u32::from(a)) << 96, self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(a)) => same_prefix(u128::from(net), u128::from(a), self.prefix),
            _ => false,
        }
    }
}

fn same_prefix(a: u128, b: u128, bits: u8) -> bool {
    bits == 0 || (a ^ b) >> (128 - u32::from(bits)) == 0
}

impl FromStr for AddressRange {
    type Err = ConfigError;

    fn from_str(text: &str) -> Result<Self, ConfigError> {
        let bad =
            || ConfigError(format!("'{text}' is not an address or a range, like 10.0.0.5 or 10.0.0.0/8"));
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix.parse::<u8>().map_err(|_| bad())?)),
            None => (text.trim(), None),
        };
        let network: IpAddr = address.parse().map_err(|_| bad())?;
        let most = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(most);
        if prefix > most {
            return Err(bad());
        }
        Ok(AddressRange { network, prefix })
    }
}
