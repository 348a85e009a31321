#!/usr/bin/env python3
"""Seeds corpus/http from the shared HTTP captures: the TCP payloads of each capture (pcap,
Ethernet with VLAN tags, IPv4 or IPv6), in capture order, as the http target's records
[control, length (LE u16), bytes], control bit 0 set for packets from port 80. One seed per
capture and one per connection (up to 64 packets each).

Usage: seed-http.py PCAPS OUT [NAME_PART [SERVER_PORT]]: the captures whose name contains
NAME_PART (default http), the server's port SERVER_PORT (default 80); the ssl target reads the
same records (`seed-http.py PCAPS corpus/ssl tls 443`)."""
import os, struct, sys

SERVER_PORT = int(sys.argv[4]) if len(sys.argv) > 4 else 80

def payloads(path):
    data = open(path, 'rb').read()
    magic = data[:4]
    if magic not in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        return  # only little-endian pcap (what the shared HTTP captures are)
    link = struct.unpack('<I', data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack('<IIII', data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if link != 1:
            continue
        et, p = struct.unpack('>H', pkt[12:14])[0], 14
        while et in (0x8100, 0x88a8, 0x9100) and len(pkt) >= p + 4:
            et, p = struct.unpack('>H', pkt[p + 2:p + 4])[0], p + 4
        if et == 0x0800 and len(pkt) >= p + 20:
            ihl, proto = (pkt[p] & 15) * 4, pkt[p + 9]
            end = p + struct.unpack('>H', pkt[p + 2:p + 4])[0]
            p += ihl
        elif et == 0x86dd and len(pkt) >= p + 40:
            proto, end = pkt[p + 6], p + 40 + struct.unpack('>H', pkt[p + 4:p + 6])[0]
            p += 40
        else:
            continue
        if proto != 6 or len(pkt) < p + 20:
            continue
        sport, dport = struct.unpack('>HH', pkt[p:p + 4])
        body = pkt[p + (pkt[p + 12] >> 4) * 4:min(end, len(pkt))]
        if body:
            yield (min(sport, dport), max(sport, dport)), sport == SERVER_PORT, body

def record(from_server, body):
    return bytes([1 if from_server else 0]) + struct.pack('<H', len(body)) + body

def main(pcaps, out, part='http'):
    os.makedirs(out, exist_ok=True)
    for name in sorted(os.listdir(pcaps)):
        if part not in name or not name.endswith('.pcap'):
            continue
        conns, whole = {}, b''
        for key, srv, body in payloads(os.path.join(pcaps, name)):
            rec = record(srv, body)
            if len(whole) < 65536:
                whole += rec
            if len(conns.setdefault(key, [])) < 64:
                conns[key].append(rec)
        base = name.rsplit('.', 1)[0]
        open(os.path.join(out, base), 'wb').write(whole)
        for i, recs in enumerate(conns.values()):
            open(os.path.join(out, '%s-%d' % (base, i)), 'wb').write(b''.join(recs)[:65536])

main(sys.argv[1], sys.argv[2], *sys.argv[3:4])
