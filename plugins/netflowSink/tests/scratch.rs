use netflowSink::export::*;
use netflowSink::flowrec::*;
use netflowSink::message::*;
use netflowSink::template::Optional;
use netflowSink::transport::*;
use std::time::Duration;

#[test]
#[ignore]
fn scratch() {
    let port: u16 = std::env::var("P").unwrap().parse().unwrap();
    let ver: u8 = std::env::var("V").unwrap().parse().unwrap();
    let all = Optional { lengths: true, vlan: true, tcp_flags: true, tos: true, ttl: true, macs: true };
    let s = Settings { collector: Collector { host: "127.0.0.1".into(), port, transport: Transport::Udp }, retries: 3, timeout: Duration::from_secs(1), redial: None, refresh_msgs: 20, refresh_secs: 60, queue: 4 };
    let mut ex = Exporter::start(s, Encoder::new(Protocol::from_version(ver), 666, all)).unwrap();
    let mut recs = ex.buffer(3);
    let mut r = FlowRec { first_ms: 1_291_753_225_446, last_ms: 1_291_753_226_999, packets: 7, octets: 1234, ip_ver: 4, src_port: 51234, dst_port: 80, proto: 6, dir: 1, min_len: 40, max_len: 1500, vlan: 20, tcp_flags: 0x1b, tos: 0x10, min_ttl: 60, max_ttl: 64, src_mac: [0,1,2,3,4,5], dst_mac: [6,7,8,9,10,11], ..FlowRec::default() };
    r.src[..4].copy_from_slice(&[192,168,1,10]);
    r.dst[..4].copy_from_slice(&[10,0,0,1]);
    recs.push(r);
    let mut icmp = r; icmp.proto = 1; icmp.src_port = 0; icmp.dst_port = 0x0800; recs.push(icmp);
    ex.send(Batch { family: Family::V4, at: ExportTime { sec: 1_291_753_300, uptime_ms: 0 }, records: recs });
    let mut recs = ex.buffer(3);
    let mut r6 = r; r6.ip_ver = 6; r6.src = [0x20,1,0xd,0xb8,0,0,0,0,0,0,0,0,0,0,0,1]; r6.dst = [0xfe,0x80,0,0,0,0,0,0,0,0,0,0,0,0,0,2];
    recs.push(r6);
    ex.send(Batch { family: Family::V6, at: ExportTime { sec: 1_291_753_300, uptime_ms: 0 }, records: recs });
    println!("{:?}", ex.finish());
}
