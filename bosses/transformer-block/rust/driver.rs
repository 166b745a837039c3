//! Trusted driver for module 12's boss, Rust path: compiled by rustc with the player's lab.rs as
//! the module `lab` (its own main is never called) and run in the sandbox, in a folder that also
//! holds the model files the cases name (tinygpt.bin, the shipped weights, and small random
//! models in the same format: f32 little-endian, tensors one after another).
//!
//! stdin:  the number of cases, then per case one line
//!           forward FILE n_layer n_head d_model context vocab_size eps T
//!         and a line of T token ids, or
//!           generate FILE n_layer n_head d_model context vocab_size eps n_prompt n temperature
//!         a line of n_prompt token ids and a line of n uniform numbers in [0, 1).
//!         Inputs only: no expected values.
//! fd 3:   one line per case, in the runner's result format:
//!         {"case":c,"ok":true,"value":{"logits":{"__nd__":"<base64>","dtype":"float64","shape":[T,V]}}}
//!         (raw little-endian doubles: exact), or {"case":c,"ok":true,"value":{"tokens":[...],
//!         "cpu_s":s}} with the process CPU time gpt_generate took, or
//!         {"case":c,"ok":false,"error":"..."} when the lab panicked on that case.
//! The weights slice ends where the file ends, so a read past it panics. The lab's own println!
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

/// The model file's floats, exactly as many as its config says.
fn weights(name: &str, c: &lab::Config) -> Vec<f32> {
    let d = c.d_model;
    let count = (c.vocab_size + c.context) * d + c.n_layer * (12 * d * d + 13 * d) + 2 * d;
    if name.contains('/') {
        fail("malformed model file name");
    }
    let bytes = std::fs::read(name).unwrap_or_else(|_| fail("a model file is missing"));
    if bytes.len() != 4 * count {
        fail("a model file does not match its config");
    }
    bytes.chunks(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}

/// The process's CPU time in seconds (clock_gettime, CLOCK_PROCESS_CPUTIME_ID = 2 on Linux).
fn cpu_seconds() -> f64 {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, now: *mut Timespec) -> i32;
    }
    let mut now = Timespec { tv_sec: 0, tv_nsec: 0 };
    unsafe { clock_gettime(2, &mut now) };
    now.tv_sec as f64 + now.tv_nsec as f64 * 1e-9
}

/// The words of stdin, read as the numbers they must be (anything else ends the run).
struct Input<'a>(std::str::SplitAsciiWhitespace<'a>);

impl<'a> Input<'a> {
    fn word(&mut self, what: &str) -> &'a str {
        self.0.next().unwrap_or_else(|| fail(what))
    }
    fn number(&mut self, what: &str) -> f64 {
        self.word(what).parse::<f64>().unwrap_or_else(|_| fail(what))
    }
    fn size(&mut self, what: &str) -> usize {
        self.word(what).parse::<usize>().unwrap_or_else(|_| fail(what))
    }
    fn ids(&mut self, count: usize, below: usize) -> Vec<usize> {
        (0..count).map(|_| match self.size("malformed token ids") {
            id if id < below => id,
            _ => fail("malformed token ids"),
        }).collect()
    }
}

fn forward(case: usize, input: &mut Input, c: &lab::Config, weights: &[f32]) -> String {
    let t_len = input.size("malformed length");
    if t_len < 1 || t_len > c.context {
        fail("malformed length");
    }
    let ids = input.ids(t_len, c.vocab_size);
    match panic::catch_unwind(panic::AssertUnwindSafe(|| lab::gpt_forward(c, weights, &ids))) {
        Ok(logits) if logits.len() == t_len * c.vocab_size => format!(
            "{{\"case\":{},\"ok\":true,\"value\":{{\"logits\":{{\"__nd__\":\"{}\",\"dtype\":\"float64\",\"shape\":[{},{}]}}}}}}\n",
            case, base64(&logits), t_len, c.vocab_size),
        Ok(logits) => error(case, &format!("gpt_forward returned {} logits, expected T x vocab_size = {}",
                                           logits.len(), t_len * c.vocab_size)),
        Err(payload) => error(case, &format!("your code panicked: {}", panic_text(&*payload))),
    }
}

fn generate(case: usize, input: &mut Input, c: &lab::Config, weights: &[f32]) -> String {
    let n_prompt = input.size("malformed generation");
    let n = input.size("malformed generation");
    let temperature = input.number("malformed generation");
    let prompt = input.ids(n_prompt, c.vocab_size);
    let u: Vec<f64> = (0..n).map(|_| input.number("malformed uniform numbers")).collect();
    let start = cpu_seconds();
    let answer = panic::catch_unwind(panic::AssertUnwindSafe(|| lab::gpt_generate(c, weights, &prompt, n, temperature, &u)));
    let spent = cpu_seconds() - start;
    match answer {
        Ok(tokens) => {
            let list: Vec<String> = tokens.iter().map(|t| t.to_string()).collect();
            format!("{{\"case\":{},\"ok\":true,\"value\":{{\"tokens\":[{}],\"cpu_s\":{:.6}}}}}\n", case, list.join(","), spent)
        }
        Err(payload) => error(case, &format!("your code panicked: {}", panic_text(&*payload))),
    }
}

fn error(case: usize, text: &str) -> String {
    format!("{{\"case\":{},\"ok\":false,\"error\":{}}}\n", case, json_text(text))
}

fn main() {
    let mut text = String::new();
    if std::io::stdin().read_to_string(&mut text).is_err() {
        fail("unreadable input");
    }
    let mut input = Input(text.split_ascii_whitespace());
    let mut out = unsafe { File::from_raw_fd(3) }; // the result channel the sandbox opened
    let cases = input.size("malformed input");
    let mut loaded: (String, Vec<f32>) = (String::new(), Vec::new());
    for case in 0..cases {
        let kind = input.word("malformed case");
        let file = input.word("malformed case");
        let config = lab::Config {
            n_layer: input.size("malformed config"), n_head: input.size("malformed config"),
            d_model: input.size("malformed config"), context: input.size("malformed config"),
            vocab_size: input.size("malformed config"), eps: input.number("malformed config"),
        };
        if config.n_layer < 1 || config.n_head < 1 || config.d_model % config.n_head != 0 || config.context < 1 {
            fail("malformed config");
        }
        if loaded.0 != file {
            loaded = (file.to_string(), weights(file, &config));
        }
        let line = match kind {
            "forward" => forward(case, &mut input, &config, &loaded.1),
            "generate" => generate(case, &mut input, &config, &loaded.1),
            _ => fail("unknown kind of case"),
        };
        if out.write_all(line.as_bytes()).and_then(|_| out.flush()).is_err() {
            fail("no result channel on fd 3 (the boss runs this driver)");
        }
    }
}
