use super::*;
use crate::parse::ErrorKind;

#[test]
fn shipped_table_names_and_describes_well_known_ports() {
    let (map, errors) = PortMap::parse(SHIPPED);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(map.len(), 11225);
    assert_eq!(map.name(Proto::Tcp, 80), Some("http"));
    assert_eq!(map.description(Proto::Tcp, 80), Some("World Wide Web HTTP"));
    assert_eq!(map.name(Proto::Udp, 53), Some("domain"));
    assert_eq!(map.description(Proto::Udp, 53), Some("Domain Name Server (DNS)"));
    assert_eq!(map.name(Proto::Tcp, 0), Some("spr-itunes"));
    assert_eq!(map.name(Proto::Udp, 0), None);
    assert_eq!(map.name(Proto::Udp, 65535), None);
    // T2's file has a port written "81 " and a description " Simple ...": trimmed
    assert_eq!(map.name(Proto::Udp, 81), Some("CBC"));
    assert_eq!(map.description(Proto::Udp, 1900), Some("Simple Service Discovery Protocol"));
}

#[test]
fn duplicates_give_the_first_name_and_the_last_description() {
    let map = PortMap::shipped();
    assert_eq!(map.name(Proto::Tcp, 1701), Some("l2f"));
    assert_eq!(map.description(Proto::Tcp, 1701), Some("Layer 2 Tunneling Protocol (L2TP)"));
    assert_eq!(map.name(Proto::Udp, 2049), Some("shilp"));
    assert_eq!(map.description(Proto::Udp, 2049), Some("Network File System - Sun"));
}

#[test]
fn entries_are_found_whatever_the_file_order() {
    let (map, errors) = PortMap::parse("9\tudp\tb\tB\n# c\n\n7\ttcp\ta\tA\n7\tudp\tc\n8\ttcp\td\tD\r\n");
    assert!(errors.is_empty());
    assert_eq!(map.len(), 4);
    assert_eq!((map.name(Proto::Tcp, 7), map.description(Proto::Tcp, 7)), (Some("a"), Some("A")));
    assert_eq!((map.name(Proto::Udp, 7), map.description(Proto::Udp, 7)), (Some("c"), Some("")));
    assert_eq!(map.description(Proto::Tcp, 8), Some("D"));
    assert_eq!(map.name(Proto::Udp, 9), Some("b"));
    assert_eq!(map.name(Proto::Tcp, 9), None);
}

#[test]
fn malformed_lines_are_skipped_and_reported_with_their_number() {
    let text = "80\ttcp\thttp\tWeb\n70000\ttcp\tbig\n21\tsctp\tftp\nx\ttcp\ty\n22\ttcp\n23\ttcp\t\n-1\tudp\tneg\n 5\ttcp\tindented\n25\ttcp\tsmtp\n";
    let (map, errors) = PortMap::parse(text);
    assert_eq!(map.len(), 2);
    assert_eq!(map.name(Proto::Tcp, 25), Some("smtp"));
    let kinds: Vec<_> = errors.iter().map(|e| (e.line, e.kind.clone())).collect();
    assert_eq!(
        kinds,
        [
            (2, ErrorKind::Port("70000".into())),
            (3, ErrorKind::Proto("sctp".into())),
            (4, ErrorKind::Format("x\ttcp\ty".into())),
            (5, ErrorKind::Format("22\ttcp".into())),
            (6, ErrorKind::Format("23\ttcp\t".into())),
            (7, ErrorKind::Format("-1\tudp\tneg".into())),
        ]
    );
    assert_eq!(errors[0].to_string(), "line 2: invalid port 70000");
    assert_eq!(errors[1].to_string(), "line 3: invalid protocol 'sctp'");
    assert_eq!(errors[3].to_string(), "line 5: failed to parse line '22\ttcp': expected port <tab> proto <tab> name");
}

#[test]
fn any_bytes_parse_without_panicking() {
    // a pseudo-random walk over bytes that matter to the parser
    let alphabet = b"0123456789\t\n\r #tcpudp\xff\xc3";
    let mut x = 0x9e37_79b9_u32;
    for len in 0..400 {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                alphabet[x as usize % alphabet.len()]
            })
            .collect();
        let (map, _) = PortMap::parse(&String::from_utf8_lossy(&bytes));
        for port in [0, 1, 7, 65535] {
            let _ = (map.name(Proto::Tcp, port), map.description(Proto::Udp, port));
        }
    }
}

#[test]
fn ip_protocols_map_as_in_t2() {
    assert_eq!(Proto::of_ip_proto(6), Some(Proto::Tcp));
    assert_eq!(Proto::of_ip_proto(132), Some(Proto::Tcp));
    assert_eq!(Proto::of_ip_proto(17), Some(Proto::Udp));
    assert_eq!(Proto::of_ip_proto(136), Some(Proto::Udp));
    assert_eq!(Proto::of_ip_proto(1), None);
}

#[test]
fn load_reads_a_file_and_reports_a_missing_one() {
    let dir = std::env::temp_dir().join(format!("portmap-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(FILE);
    std::fs::write(&path, b"443\ttcp\thttps\thttp protocol over TLS/SSL\n").unwrap();
    let (map, errors) = PortMap::load(&path).unwrap();
    assert!(errors.is_empty());
    assert_eq!(map.name(Proto::Tcp, 443), Some("https"));
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(PortMap::load(&path).unwrap_err().kind(), std::io::ErrorKind::NotFound);
}

#[test]
fn load_in_falls_back_to_the_shipped_table_and_says_why() {
    let dir = std::env::temp_dir().join(format!("portmap-load-in-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let folder = format!("{}/", dir.display());
    let (map, problem) = PortMap::load_in(&folder, "absent.txt");
    assert_eq!(map.name(Proto::Tcp, 80), Some("http"));
    assert_eq!(
        problem.as_deref(),
        Some(format!("Failed to open file '{folder}absent.txt' for reading: No such file or directory; using the built-in table").as_str())
    );
    std::fs::write(dir.join("mine.txt"), "80\ttcp\tweb\n8080\ttcp\n1\tx\ty\n").unwrap();
    let (map, problem) = PortMap::load_in(&folder, "mine.txt");
    assert_eq!((map.len(), map.name(Proto::Tcp, 80)), (1, Some("web")));
    assert_eq!(
        problem.as_deref(),
        Some(format!("'{folder}mine.txt' line 2: failed to parse line '8080\ttcp': expected port <tab> proto <tab> name (1 more malformed lines skipped)").as_str())
    );
    // an absolute name ignores the folder
    let abs = dir.join("mine.txt");
    assert_eq!(PortMap::load_in("/nonexistent/", abs.to_str().unwrap()).0.len(), 1);
    let (empty, problem) = PortMap::load_in(&folder, "/dev/null");
    assert!(empty.is_empty() && problem.is_none());
    std::fs::remove_dir_all(&dir).unwrap();
}
