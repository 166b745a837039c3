//! Trusted driver for module 6's lab checks, Rust path: compiled by rustc with the player's
//! lab.rs as the module `lab` (its own main is never called) and run in the sandbox.
//!
//! stdin:  the number of checks, then each check: a word and its sizes, then its numbers.
//!           forward batch n_in n_out    x, w, b
//!           linear batch n_in n_out     x, w, dy
//!           relu n                      z, dh
//!           xent batch classes          logits, labels
//!           mlp batch n0 n1 n2 n3       params (W1 b1 W2 b2 W3 b3), x, labels
//!         Inputs only: never an expected value.
//! fd 3:   one line per check in the runner's result format, as the C driver writes them:
//!           forward  {"case":c,"ok":true,"value":{"y":[...]}}
//!           linear   {"case":c,"ok":true,"value":{"dx":[...],"dW":[...],"db":[...]}}
//!           relu     {"case":c,"ok":true,"value":{"dz":[...]}}
//!           xent     {"case":c,"ok":true,"value":{"loss":L,"dlogits":[...]}}
//!           mlp      {"case":c,"ok":true,"value":{"loss":L,"grads":[...]}}
//!         or {"case":c,"ok":false,"error":"..."} when the lab panicked on that check.
//! Outputs start as NaN, so a number the lab never writes shows as one (relu_backward works in
//! place on dh). The lab's own println! goes to stdout, which never carries results.

#[allow(dead_code)]
#[path = "lab.rs"]
mod lab;

use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::io::FromRawFd;
use std::panic;

const MAX_NUMBERS: usize = 1_000_000;

fn fail(what: &str) -> ! {
    eprintln!("checks driver: {}", what);
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

/// "name":[values]
fn array(name: &str, values: &[f64]) -> String {
    let items: Vec<String> = values.iter().map(|&v| number(v)).collect();
    format!("\"{}\":[{}]", name, items.join(","))
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

struct Input<'a> {
    tokens: std::str::SplitAsciiWhitespace<'a>,
}

impl<'a> Input<'a> {
    fn word(&mut self) -> &'a str {
        match self.tokens.next() {
            Some(word) => word,
            None => fail("malformed check"),
        }
    }

    fn size(&mut self) -> usize {
        match self.word().parse::<usize>() {
            Ok(n) if n >= 1 && n <= MAX_NUMBERS => n,
            _ => fail("malformed size"),
        }
    }

    fn numbers(&mut self, count: usize) -> Vec<f64> {
        (0..count)
            .map(|_| match self.word().parse::<f64>() {
                Ok(v) => v,
                Err(_) => fail("malformed numbers"),
            })
            .collect()
    }

    fn labels(&mut self, count: usize) -> Vec<usize> {
        (0..count)
            .map(|_| match self.word().parse::<usize>() {
                Ok(v) => v,
                Err(_) => fail("malformed labels"),
            })
            .collect()
    }
}

/// One check: read its inputs, call the lab, and return the JSON of its value.
fn check(word: &str, input: &mut Input) -> Box<dyn FnOnce() -> String> {
    match word {
        "forward" | "linear" => {
            let (batch, n_in, n_out) = (input.size(), input.size(), input.size());
            if batch * n_in > MAX_NUMBERS || n_in * n_out > MAX_NUMBERS || batch * n_out > MAX_NUMBERS {
                fail("malformed size");
            }
            let x = input.numbers(batch * n_in);
            let w = input.numbers(n_in * n_out);
            if word == "forward" {
                let b = input.numbers(n_out);
                Box::new(move || {
                    let mut y = vec![f64::NAN; batch * n_out];
                    lab::linear_forward(&x, &w, &b, &mut y, n_in, n_out);
                    array("y", &y)
                })
            } else {
                let dy = input.numbers(batch * n_out);
                Box::new(move || {
                    let mut dx = vec![f64::NAN; batch * n_in];
                    let mut dw = vec![f64::NAN; n_in * n_out];
                    let mut db = vec![f64::NAN; n_out];
                    lab::linear_backward(&x, &w, &dy, &mut dx, &mut dw, &mut db, n_in, n_out);
                    format!("{},{},{}", array("dx", &dx), array("dW", &dw), array("db", &db))
                })
            }
        }
        "relu" => {
            let n = input.size();
            let z = input.numbers(n);
            let mut dh = input.numbers(n);
            Box::new(move || {
                lab::relu_backward(&z, &mut dh);
                array("dz", &dh)
            })
        }
        "xent" => {
            let (batch, classes) = (input.size(), input.size());
            if batch * classes > MAX_NUMBERS {
                fail("malformed size");
            }
            let logits = input.numbers(batch * classes);
            let labels = input.labels(batch);
            Box::new(move || {
                let mut dlogits = vec![f64::NAN; batch * classes];
                let loss = lab::softmax_xent(&logits, &labels, classes, &mut dlogits);
                format!("\"loss\":{},{}", number(loss), array("dlogits", &dlogits))
            })
        }
        "mlp" => {
            let batch = input.size();
            let widths: Vec<usize> = (0..4).map(|_| input.size()).collect();
            let count: usize = (0..3).map(|l| widths[l] * widths[l + 1] + widths[l + 1]).sum();
            if count > MAX_NUMBERS || batch * widths[0] > MAX_NUMBERS {
                fail("malformed size");
            }
            let params = input.numbers(count);
            let x = input.numbers(batch * widths[0]);
            let labels = input.labels(batch);
            Box::new(move || {
                let mut grads = vec![f64::NAN; count];
                let loss = lab::mlp_backward(&widths, &params, &x, &labels, &mut grads);
                format!("\"loss\":{},{}", number(loss), array("grads", &grads))
            })
        }
        _ => fail("unknown check"),
    }
}

fn main() {
    let mut text = String::new();
    if std::io::stdin().read_to_string(&mut text).is_err() {
        fail("unreadable input");
    }
    let mut input = Input { tokens: text.split_ascii_whitespace() };
    let mut out = unsafe { File::from_raw_fd(3) }; // the result channel the sandbox opened
    let checks = match input.word().parse::<usize>() {
        Ok(n) => n,
        Err(_) => fail("malformed input"),
    };
    for c in 0..checks {
        let word = input.word();
        let call = check(word, &mut input);
        let line = match panic::catch_unwind(panic::AssertUnwindSafe(call)) {
            Ok(value) => format!("{{\"case\":{},\"ok\":true,\"value\":{{{}}}}}\n", c, value),
            Err(payload) => format!("{{\"case\":{},\"ok\":false,\"error\":{}}}\n", c,
                                    json_text(&format!("your code panicked: {}", panic_text(&*payload)))),
        };
        if out.write_all(line.as_bytes()).and_then(|_| out.flush()).is_err() {
            fail("no result channel on fd 3 (the checks run this driver)");
        }
    }
}
