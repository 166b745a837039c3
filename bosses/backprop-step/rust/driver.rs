//! Trusted driver for module 6's boss, Rust path: compiled by rustc with the player's lab.rs
//! as the module `lab` (its own main is never called) and run in the sandbox.
//!
//! stdin:  the number of cases, then for each case a line "batch n0 n1 n2 n3", one line per
//!         parameter block (W1 b1 W2 b2 W3 b3, row-major), one line per row of x, and a line
//!         of labels. Inputs only: no expected values.
//! fd 3:   one line per case, in the runner's result format:
//!         {"case":c,"ok":true,"value":{"loss":L,"grads":{"__nd__":"<base64>","dtype":"float64",
//!         "shape":[N]}}}, the N gradients as raw little-endian doubles (exact, and small), or
//!         {"case":c,"ok":false,"error":"..."} when the lab panicked on that case.
//! Gradients start as NaN, so one the lab never writes cannot pass. The lab's own println!
//! goes to stdout, which never carries results.

#[allow(dead_code)]
#[path = "lab.rs"]
mod lab;

use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::io::FromRawFd;
use std::panic;

fn fail(what: &str) -> ! {
    eprintln!("boss driver: {}", what);
    std::process::exit(3);
}

fn number(x: f64) -> String {
    if x.is_nan() {
        "NaN".to_string()
    } else if x.is_infinite() {
        (if x > 0.0 { "Infinity" } else { "-Infinity" }).to_string()
    } else {
        format!("{:?}", x) // the shortest text that reads back as exactly x
    }
}

fn base64(values: &[f64]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    let mut text = String::with_capacity(bytes.len() / 3 * 4 + 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = ((b[0] as u32) << 16) | ((b[1] as u32) << 8) | b[2] as u32;
        for k in 0..4 {
            if k <= chunk.len() {
                text.push(ALPHABET[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                text.push('=');
            }
        }
    }
    text
}

fn json_text(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars().take(300) {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic".to_string()
    }
}

fn main() {
    let mut input = String::new();
    if std::io::stdin().read_to_string(&mut input).is_err() {
        fail("unreadable input");
    }
    let mut tokens = input.split_ascii_whitespace();
    let mut next = |what: &str| -> f64 {
        match tokens.next().map(|t| t.parse::<f64>()) {
            Some(Ok(v)) => v,
            _ => fail(what),
        }
    };
    let mut out = unsafe { File::from_raw_fd(3) }; // the result channel the sandbox opened
    let cases = next("malformed input") as usize;
    for c in 0..cases {
        let batch = next("malformed case") as usize;
        let widths: Vec<usize> = (0..4).map(|_| next("malformed widths") as usize).collect();
        let count: usize = (0..3).map(|l| widths[l] * widths[l + 1] + widths[l + 1]).sum();
        let params: Vec<f64> = (0..count).map(|_| next("malformed numbers")).collect();
        let x: Vec<f64> = (0..batch * widths[0]).map(|_| next("malformed numbers")).collect();
        let labels: Vec<usize> = (0..batch).map(|_| next("malformed labels") as usize).collect();
        let mut grads = vec![f64::NAN; count]; // what a gradient never written reads as

        let answer = panic::catch_unwind(panic::AssertUnwindSafe(|| {
            lab::mlp_backward(&widths, &params, &x, &labels, &mut grads)
        }));

        let line = match answer {
            Ok(loss) => format!(
                "{{\"case\":{},\"ok\":true,\"value\":{{\"loss\":{},\"grads\":{{\"__nd__\":\"{}\",\"dtype\":\"float64\",\"shape\":[{}]}}}}}}\n",
                c, number(loss), base64(&grads), count),
            Err(payload) => format!("{{\"case\":{},\"ok\":false,\"error\":{}}}\n", c,
                                    json_text(&format!("your code panicked: {}", panic_text(&*payload)))),
        };
        if out.write_all(line.as_bytes()).and_then(|_| out.flush()).is_err() {
            fail("no result channel on fd 3 (the boss runs this driver)");
        }
    }
}
