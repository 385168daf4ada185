use std::time::Instant;
fn main() {
    let unit = std::env::args().nth(1).unwrap().replace("\\n", "\n");
    let mb: usize = std::env::args().nth(2).map_or(4, |v| v.parse().unwrap());
    let log = unit.repeat((mb << 20) / unit.len());
    let t = Instant::now();
    let s = panicqr_signature::analyse(&log);
    println!("{:7.3} s  {:?}", t.elapsed().as_secs_f64(), s.title);
}
