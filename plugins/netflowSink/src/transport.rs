//! The connection to the collector: one UDP socket or TCP stream, each send either complete or
//! an error that names the cause. Every call is bounded in time (TCP connect and write
//! timeouts); nothing here retries.

use std::fmt;
use std::io::{self, ErrorKind, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::time::Duration;

/// UDP or TCP (T2's `NF_SOCKTYPE` 0 or 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// One message per datagram.
    Udp,
    /// Messages back to back on one stream (RFC 7011 §10.4).
    Tcp,
}

/// Where the flows go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Collector {
    /// Address or host name (`NF_SERVADD`).
    pub host: String,
    /// Port (`NF_DPORT`).
    pub port: u16,
    /// UDP or TCP.
    pub transport: Transport,
}

impl fmt::Display for Collector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let proto = match self.transport {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
        };
        if self.host.contains(':') {
            write!(f, "[{}]:{} ({proto})", self.host, self.port)
        } else {
            write!(f, "{}:{} ({proto})", self.host, self.port)
        }
    }
}

/// Why a connection or a send failed, worded for the one line that reports it.
#[derive(Debug)]
pub struct SendError(String);

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl SendError {
    fn io(e: &io::Error, timeout: Duration) -> SendError {
        SendError(match e.kind() {
            ErrorKind::WouldBlock | ErrorKind::TimedOut => format!("no progress for {} s", timeout.as_secs_f32()),
            _ => plugin_api::fmt::strerror(e),
        })
    }
}

/// An open connection to the collector.
#[derive(Debug)]
pub enum Link {
    /// A UDP socket connected to the collector, so ICMP errors come back to it.
    Udp(UdpSocket),
    /// A TCP connection.
    Tcp(TcpStream),
}

impl Link {
    /// Resolves the collector and opens a connection; a TCP connect fails after `timeout`.
    pub fn open(c: &Collector, timeout: Duration) -> Result<Link, SendError> {
        let addrs: Vec<SocketAddr> = (c.host.as_str(), c.port)
            .to_socket_addrs()
            .map_err(|e| SendError(format!("cannot resolve '{}': {}", c.host, plugin_api::fmt::strerror(&e))))?
            .collect();
        let mut last = SendError(format!("'{}' has no address", c.host));
        for addr in addrs {
            let res = match c.transport {
                Transport::Udp => open_udp(addr).map(Link::Udp),
                Transport::Tcp => open_tcp(addr, timeout).map(Link::Tcp),
            };
            match res {
                Ok(link) => return Ok(link),
                Err(e) => last = SendError::io(&e, timeout),
            }
        }
        Err(last)
    }

    /// Sends one message whole. UDP: a refusal (ICMP port unreachable) that came back by the
    /// time the datagram left counts against this message. TCP: a collector that has closed
    /// its end is noticed before anything is written.
    pub fn send(&mut self, msg: &[u8], timeout: Duration) -> Result<(), SendError> {
        let res = match self {
            Link::Udp(s) => send_udp(s, msg),
            Link::Tcp(s) => {
                if peer_closed(s) {
                    return Err(SendError("the collector closed the connection".into()));
                }
                s.write_all(msg)
            }
        };
        res.map_err(|e| SendError::io(&e, timeout))
    }

    /// Ends the connection: TCP sends its FIN after the data still queued.
    pub fn close(self) {
        if let Link::Tcp(s) = self {
            let _ = s.shutdown(std::net::Shutdown::Write);
        }
    }
}

fn open_udp(addr: SocketAddr) -> io::Result<UdpSocket> {
    let local: SocketAddr = if addr.is_ipv4() { ([0, 0, 0, 0], 0).into() } else { ([0u16; 8], 0).into() };
    let s = UdpSocket::bind(local)?;
    s.connect(addr)?;
    Ok(s)
}

fn open_tcp(addr: SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
    let s = TcpStream::connect_timeout(&addr, timeout)?;
    s.set_write_timeout(Some(timeout))?;
    s.set_nodelay(true)?;
    Ok(s)
}

fn send_udp(s: &UdpSocket, msg: &[u8]) -> io::Result<()> {
    let n = s.send(msg)?;
    if n != msg.len() {
        return Err(io::Error::new(ErrorKind::WriteZero, format!("datagram cut to {n} of {} bytes", msg.len())));
    }
    match s.take_error()? {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Whether the collector has closed the connection (or reset it). A collector never sends on
/// an export connection, so a readable end of stream or an error means it is gone.
fn peer_closed(s: &TcpStream) -> bool {
    if s.set_nonblocking(true).is_err() {
        return false;
    }
    let mut byte = [0u8; 1];
    let closed = match s.peek(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != ErrorKind::WouldBlock,
    };
    let _ = s.set_nonblocking(false);
    closed
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;

    const T: Duration = Duration::from_secs(2);

    fn collector(port: u16, transport: Transport) -> Collector {
        Collector { host: "127.0.0.1".into(), port, transport }
    }

    #[test]
    fn names() {
        assert_eq!(collector(9995, Transport::Udp).to_string(), "127.0.0.1:9995 (UDP)");
        let c = Collector { host: "::1".into(), port: 4739, transport: Transport::Tcp };
        assert_eq!(c.to_string(), "[::1]:4739 (TCP)");
    }

    #[test]
    fn udp_datagrams_arrive_whole() {
        let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = rx.local_addr().unwrap().port();
        let mut link = Link::open(&collector(port, Transport::Udp), T).unwrap();
        link.send(b"first", T).unwrap();
        link.send(&[7u8; 30_000], T).unwrap();
        let mut buf = [0u8; 65_536];
        let n = rx.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"first");
        assert_eq!(rx.recv(&mut buf).unwrap(), 30_000);
    }

    #[test]
    fn udp_refusal_counts_against_the_message() {
        // a port nobody listens on: bound, then closed
        let port = UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut link = Link::open(&collector(port, Transport::Udp), T).unwrap();
        let err = link.send(b"lost", T).unwrap_err();
        assert_eq!(err.to_string(), "Connection refused");
    }

    #[test]
    fn tcp_refused_and_closed() {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let err = Link::open(&collector(port, Transport::Tcp), T).unwrap_err();
        assert_eq!(err.to_string(), "Connection refused");

        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let mut link = Link::open(&collector(port, Transport::Tcp), T).unwrap();
        let (mut peer, _) = l.accept().unwrap();
        link.send(b"one", T).unwrap();
        let mut got = [0u8; 3];
        peer.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"one");
        drop(peer);
        // the FIN arrives at once on loopback; give the kernel a moment all the same
        std::thread::sleep(Duration::from_millis(50));
        let err = link.send(b"two", T).unwrap_err();
        assert_eq!(err.to_string(), "the collector closed the connection");
    }

    #[test]
    fn tcp_write_to_a_stalled_collector_times_out() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let short = Duration::from_millis(200);
        let mut link = Link::open(&collector(port, Transport::Tcp), short).unwrap();
        let (_peer, _) = l.accept().unwrap();
        // the peer never reads: the socket buffers fill, then the write times out
        let big = vec![0u8; 1 << 20];
        let err = (0..64).find_map(|_| link.send(&big, short).err()).expect("a stalled peer blocks the writer");
        assert_eq!(err.to_string(), "no progress for 0.2 s");
    }

    #[test]
    fn unresolvable_host() {
        let c = Collector { host: "no-such-host.invalid".into(), port: 1, transport: Transport::Udp };
        let err = Link::open(&c, T).unwrap_err().to_string();
        assert!(err.starts_with("cannot resolve 'no-such-host.invalid': "), "{err}");
    }
}
