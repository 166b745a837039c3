//! Trusted driver for module 12's lab checks, Rust path: compiled by rustc with the player's
//! lab.rs as the module `lab` (its own main is never called) and run in the sandbox, in a folder
//! that also holds the model files the checks name (f32 little-endian, tensors one after another).
//!
//! stdin:  the number of checks, then each check: a word and its sizes, then its numbers, as
//!         the C driver reads them (c/checks_driver.c):
//!           layernorm T d eps           x (T × d), g (d), b (d)
//!           gelu n                      n numbers
//!           linear T n_in n_out         x (T × n_in), w (n_in × n_out), b (n_out)
//!           attention T d n_head        qkv (T × 3d)
//!           sample n V                  n times: temperature u, then V logits
//!           forward FILE n_layer n_head d_model context vocab_size eps T       T token ids
//!           generate FILE n_layer n_head d_model context vocab_size eps n_prompt n temperature
//!                                       n_prompt token ids, n uniform numbers
//!         Inputs only: never an expected value.
//! fd 3:   one line per check in the runner's result format, as the C driver writes them:
//!           {"case":c,"ok":true,"value":{"out":[...]}}      the arrays (logits for forward)
//!           {"case":c,"ok":true,"value":{"tokens":[...]}}   sample and generate
//!         or {"case":c,"ok":false,"error":"..."} when the lab panicked on that check.
//! The weights slice ends where the file ends, so a read past it panics. The lab's own println!
//! goes to stdout, which never carries results.

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

/// "out":[values]
fn out(values: &[f64]) -> String {
    let items: Vec<String> = values.iter().map(|&v| number(v)).collect();
    format!("\"out\":[{}]", items.join(","))
}

/// "tokens":[ids]
fn tokens(ids: &[usize]) -> String {
    let items: Vec<String> = ids.iter().map(|t| t.to_string()).collect();
    format!("\"tokens\":[{}]", items.join(","))
}

/// The words of stdin, read as the numbers they must be (anything else ends the run).
struct Input<'a>(std::str::SplitAsciiWhitespace<'a>);

impl<'a> Input<'a> {
    fn word(&mut self) -> &'a str {
        self.0.next().unwrap_or_else(|| fail("malformed check"))
    }
    fn size(&mut self) -> usize {
        match self.word().parse::<usize>() {
            Ok(n) if n >= 1 && n <= MAX_NUMBERS => n,
            _ => fail("malformed size"),
        }
    }
    fn number(&mut self) -> f64 {
        self.word().parse::<f64>().unwrap_or_else(|_| fail("malformed numbers"))
    }
    fn numbers(&mut self, count: usize) -> Vec<f64> {
        if count > MAX_NUMBERS {
            fail("malformed size");
        }
        (0..count).map(|_| self.number()).collect()
    }
    /// Numbers the lab takes as f32 (gains, biases, weights): written exactly by the checks.
    fn floats(&mut self, count: usize) -> Vec<f32> {
        self.numbers(count).iter().map(|&v| v as f32).collect()
    }
    fn ids(&mut self, count: usize, below: usize) -> Vec<usize> {
        (0..count).map(|_| match self.word().parse::<usize>() {
            Ok(id) if id < below => id,
            _ => fail("malformed token ids"),
        }).collect()
    }
}

/// A model file named on stdin with its config: its floats, exactly as many as the config says.
fn model(input: &mut Input) -> (lab::Config, Vec<f32>) {
    let file = input.word();
    let c = lab::Config {
        n_layer: input.size(), n_head: input.size(), d_model: input.size(),
        context: input.size(), vocab_size: input.size(), eps: input.number(),
    };
    if c.d_model % c.n_head != 0 || file.contains('/') {
        fail("malformed config");
    }
    let d = c.d_model;
    let count = (c.vocab_size + c.context) * d + c.n_layer * (12 * d * d + 13 * d) + 2 * d;
    let bytes = std::fs::read(file).unwrap_or_else(|_| fail("a model file is missing"));
    if bytes.len() != 4 * count {
        fail("a model file does not match its config");
    }
    (c, bytes.chunks(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect())
}

/// One check: read its inputs, and return the call of the lab that makes its JSON value.
fn check(word: &str, input: &mut Input) -> Box<dyn FnOnce() -> String> {
    match word {
        "layernorm" => {
            let (t_len, d, eps) = (input.size(), input.size(), input.number());
            let x = input.numbers(t_len * d);
            let (g, b) = (input.floats(d), input.floats(d));
            Box::new(move || out(&lab::layer_norm(&x, &g, &b, eps, d)))
        }
        "gelu" => {
            let n = input.size();
            let x = input.numbers(n);
            Box::new(move || out(&x.iter().map(|&v| lab::gelu(v)).collect::<Vec<f64>>()))
        }
        "linear" => {
            let (t_len, n_in, n_out) = (input.size(), input.size(), input.size());
            let x = input.numbers(t_len * n_in);
            let (w, b) = (input.floats(n_in * n_out), input.floats(n_out));
            Box::new(move || out(&lab::linear(&x, &w, &b, n_in, n_out)))
        }
        "attention" => {
            let (t_len, d, n_head) = (input.size(), input.size(), input.size());
            if d % n_head != 0 {
                fail("malformed attention check");
            }
            let qkv = input.numbers(t_len * 3 * d);
            Box::new(move || out(&lab::attention(&qkv, d, n_head)))
        }
        "sample" => {
            let (n, v) = (input.size(), input.size());
            let draws: Vec<(f64, f64, Vec<f64>)> =
                (0..n).map(|_| (input.number(), input.number(), input.numbers(v))).collect();
            Box::new(move || {
                tokens(&draws.iter().map(|(temperature, u, logits)| lab::sample(logits, *temperature, *u)).collect::<Vec<usize>>())
            })
        }
        "forward" => {
            let (c, weights) = model(input);
            let t_len = input.size();
            if t_len > c.context {
                fail("malformed length");
            }
            let ids = input.ids(t_len, c.vocab_size);
            Box::new(move || out(&lab::gpt_forward(&c, &weights, &ids)))
        }
        "generate" => {
            let (c, weights) = model(input);
            let (n_prompt, n, temperature) = (input.size(), input.size(), input.number());
            let prompt = input.ids(n_prompt, c.vocab_size);
            let u = input.numbers(n);
            Box::new(move || tokens(&lab::gpt_generate(&c, &weights, &prompt, n, temperature, &u)))
        }
        _ => fail("unknown check"),
    }
}

fn main() {
    let mut text = String::new();
    if std::io::stdin().read_to_string(&mut text).is_err() {
        fail("unreadable input");
    }
    let mut input = Input(text.split_ascii_whitespace());
    let mut channel = unsafe { File::from_raw_fd(3) }; // the result channel the sandbox opened
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
        if channel.write_all(line.as_bytes()).and_then(|_| channel.flush()).is_err() {
            fail("no result channel on fd 3 (the checks run this driver)");
        }
    }
}
