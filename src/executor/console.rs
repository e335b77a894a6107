//! Hardhat/Foundry `console.log`: calls to the console address -> readable lines.
//! `ConsoleCollector` is a revm inspector that records those calls while a block executes;
//! `decode` turns one call's calldata into the line Hardhat or Foundry would print.

use std::{collections::HashMap, sync::LazyLock};

use alloy_dyn_abi::{DynSolType, DynSolValue};
use alloy_primitives::{Address, Bytes, address, hex, keccak256};
use revm::{
    Inspector,
    context_interface::ContextTr,
    interpreter::{CallInputs, CallOutcome},
};

/// Where `console.sol` sends its calls (`"console.log"` as an address).
pub const CONSOLE_ADDRESS: Address = address!("0x000000000000000000636F6e736F6c652e6c6f67");

/// Records the calldata of every call to the console address, decoded.
#[derive(Debug, Default, Clone)]
pub struct ConsoleCollector {
    /// Decoded lines, in call order.
    pub lines: Vec<String>,
}

impl<CTX: ContextTr> Inspector<CTX> for ConsoleCollector {
    fn call(&mut self, context: &mut CTX, inputs: &mut CallInputs) -> Option<CallOutcome> {
        if inputs.target_address == CONSOLE_ADDRESS {
            self.lines.push(decode(&inputs.input.bytes(context)));
        }
        // The console address has no code: the call goes on and returns nothing, as on L1.
        None
    }
}

/// The line `console.log(...)` prints for this calldata (hex when the selector is unknown).
pub fn decode(data: &Bytes) -> String {
    let Some((selector, args)) = data.split_first_chunk::<4>() else {
        return format!("(console.log with malformed calldata {data})");
    };
    let Some(types) = SIGNATURES.get(selector) else {
        return format!(
            "(unknown console.log selector {}) {}",
            hex::encode_prefixed(selector),
            hex::encode_prefixed(args)
        );
    };
    match DynSolType::Tuple(types.clone()).abi_decode_params(args) {
        Ok(DynSolValue::Tuple(values)) => format_values(&values),
        Ok(other) => format_value(&other),
        Err(_) => format!("(undecodable console.log {data})"),
    }
}

/// `console.log` joins its arguments with spaces; a first string argument is a format string
/// (`%s`, `%d`, `%i`, `%o`, `%x`, `%%`), as in Hardhat and Foundry.
fn format_values(values: &[DynSolValue]) -> String {
    let Some((DynSolValue::String(format), rest)) = values.split_first() else {
        return values
            .iter()
            .map(format_value)
            .collect::<Vec<_>>()
            .join(" ");
    };
    let mut rest = rest.iter();
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some('%') => {
                chars.next();
                out.push('%');
            }
            Some(spec @ ('s' | 'd' | 'i' | 'o' | 'x')) => match rest.next() {
                Some(value) => {
                    chars.next();
                    if spec == 'x' {
                        out.push_str(&format_hex(value));
                    } else {
                        out.push_str(&format_value(value));
                    }
                }
                None => out.push('%'),
            },
            _ => out.push('%'),
        }
    }
    for value in rest {
        out.push(' ');
        out.push_str(&format_value(value));
    }
    out
}

fn format_value(value: &DynSolValue) -> String {
    match value {
        DynSolValue::String(s) => s.clone(),
        DynSolValue::Uint(u, _) => u.to_string(),
        DynSolValue::Int(i, _) => i.to_string(),
        DynSolValue::Bool(b) => b.to_string(),
        DynSolValue::Address(a) => a.to_checksum(None),
        DynSolValue::Bytes(b) => hex::encode_prefixed(b),
        DynSolValue::FixedBytes(word, size) => hex::encode_prefixed(&word[..*size]),
        other => format!("{other:?}"),
    }
}

fn format_hex(value: &DynSolValue) -> String {
    match value {
        DynSolValue::Uint(u, _) => format!("{u:#x}"),
        DynSolValue::Int(i, _) => format!("{:#x}", i.into_raw()),
        other => format_value(other),
    }
}

/// Every signature `console.sol` declares (Hardhat's and forge-std's), by selector, plus the
/// `uint`/`int` spellings older Hardhat versions hashed.
static SIGNATURES: LazyLock<HashMap<[u8; 4], Vec<DynSolType>>> = LazyLock::new(|| {
    let mut signatures: Vec<(String, Vec<&str>)> = vec![("log()".into(), vec![])];
    for ty in ["uint256", "int256", "string", "bool", "address", "bytes"] {
        signatures.push((format!("log({ty})"), vec![ty]));
    }
    for (name, ty) in [
        ("logUint", "uint256"),
        ("logInt", "int256"),
        ("logString", "string"),
        ("logBool", "bool"),
        ("logAddress", "address"),
        ("logBytes", "bytes"),
    ] {
        signatures.push((format!("{name}({ty})"), vec![ty]));
    }
    let fixed: Vec<(usize, String)> = (1..=32).map(|n| (n, format!("bytes{n}"))).collect();
    for (n, ty) in &fixed {
        signatures.push((format!("logBytes{n}({ty})"), vec![ty.as_str()]));
    }
    // Two to four arguments: every combination of these four types.
    let basic = ["uint256", "string", "bool", "address"];
    let mut combos: Vec<Vec<&str>> = basic.iter().map(|t| vec![*t]).collect();
    for _ in 2..=4 {
        combos = combos
            .iter()
            .flat_map(|c| basic.iter().map(move |t| [c.as_slice(), &[*t]].concat()))
            .collect();
        for combo in &combos {
            signatures.push((format!("log({})", combo.join(",")), combo.clone()));
        }
    }
    let mut table = HashMap::new();
    for (signature, types) in signatures {
        let types: Vec<DynSolType> = types
            .iter()
            .map(|t| t.parse().expect("console.sol types parse"))
            .collect();
        let legacy = signature
            .replace("uint256", "uint")
            .replace("int256", "int");
        for text in [signature, legacy] {
            let selector: [u8; 4] = keccak256(text.as_bytes())[..4].try_into().expect("4 bytes");
            table.entry(selector).or_insert_with(|| types.clone());
        }
    }
    table
});

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::U256;

    fn call(signature: &str, args: &[DynSolValue]) -> Bytes {
        let mut data = keccak256(signature.as_bytes())[..4].to_vec();
        data.extend(DynSolValue::Tuple(args.to_vec()).abi_encode_params());
        data.into()
    }

    #[test]
    fn decodes_common_signatures() {
        let s = |s: &str| DynSolValue::String(s.into());
        let n = |n: u64| DynSolValue::Uint(U256::from(n), 256);
        assert_eq!(decode(&call("log(string)", &[s("hello")])), "hello");
        assert_eq!(
            decode(&call("log(string,uint256)", &[s("value"), n(42)])),
            "value 42"
        );
        assert_eq!(decode(&call("log(uint256)", &[n(7)])), "7");
        assert_eq!(decode(&call("log(uint)", &[n(7)])), "7");
        assert_eq!(
            decode(&call("log(bool)", &[DynSolValue::Bool(true)])),
            "true"
        );
        assert_eq!(
            decode(&call(
                "log(string,address)",
                &[s("to"), DynSolValue::Address(CONSOLE_ADDRESS)]
            )),
            "to 0x000000000000000000636F6e736F6c652e6c6f67"
        );
        assert_eq!(
            decode(&call(
                "log(string,uint256,string)",
                &[s("%s items in %s"), n(3), s("cart")]
            )),
            "3 items in cart"
        );
        assert_eq!(
            decode(&call("log(string,string)", &[s("a"), s("b")])),
            "a b"
        );
    }
}
