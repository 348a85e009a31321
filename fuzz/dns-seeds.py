#!/usr/bin/env python3
"""Seeds corpus/dns with the DNS payloads of the shared captures: every UDP or TCP payload to or
from ports 53, 5353, 5355 and 137 of Ethernet (VLAN) IPv4/IPv6 packets in pcap and pcapng
files, prefixed with the fuzz target's selector byte (DNS_MODE 4; TCP payloads as TCP)."""
import hashlib
import os
import struct
import sys

PORTS = {53, 5353, 5355, 137}


def frames(path):
    data = open(path, 'rb').read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        e = '<' if magic[0] in (0xd4, 0x4d) else '>'
        link = struct.unpack(e + 'I', data[20:24])[0]
        off = 24
        while off + 16 <= len(data):
            incl = struct.unpack(e + 'I', data[off + 8:off + 12])[0]
            yield link, data[off + 16:off + 16 + incl]
            off += 16 + incl
    elif magic == b'\x0a\x0d\x0d\x0a':
        off, e, links = 0, '<', []
        while off + 12 <= len(data):
            if data[off:off + 4] == b'\x0a\x0d\x0d\x0a':
                e = '<' if data[off + 8:off + 12] == b'\x4d\x3c\x2b\x1a' else '>'
                links = []
            btype, blen = struct.unpack(e + 'II', data[off:off + 8])
            if blen < 12:
                return
            body = data[off + 8:off + blen - 4]
            if btype == 1:
                links.append(struct.unpack(e + 'H', body[:2])[0])
            elif btype == 6 and len(body) >= 20:
                ifc, _, _, cap = struct.unpack(e + 'IIII', body[:16])
                yield (links[ifc] if ifc < len(links) else 1), body[20:20 + cap]
            off += blen


def payload(link, f):
    if link != 1 or len(f) < 14:
        return None
    et, off = struct.unpack('>H', f[12:14])[0], 14
    while et in (0x8100, 0x88a8) and len(f) >= off + 4:
        et, off = struct.unpack('>H', f[off + 2:off + 4])[0], off + 4
    if et == 0x0800 and len(f) >= off + 20:
        ihl, proto = (f[off] & 0xf) * 4, f[off + 9]
        end = min(len(f), off + struct.unpack('>H', f[off + 2:off + 4])[0])
        l4 = off + ihl
    elif et == 0x86dd and len(f) >= off + 40:
        proto, end, l4 = f[off + 6], min(len(f), off + 40 + struct.unpack('>H', f[off + 4:off + 6])[0]), off + 40
    else:
        return None
    if len(f) < l4 + 8:
        return None
    sp, dp = struct.unpack('>HH', f[l4:l4 + 4])
    if sp not in PORTS and dp not in PORTS:
        return None
    if proto == 17:
        return b'\x04' + f[l4 + 8:end]
    if proto == 6 and len(f) >= l4 + 20:
        p = f[l4 + (f[l4 + 12] >> 4) * 4:end]
        return b'\x24' + p if p else None
    return None


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    n = 0
    for name in sorted(os.listdir(src)):
        if not name.endswith(('.pcap', '.pcapng')):
            continue
        for link, f in frames(os.path.join(src, name)):
            p = payload(link, f)
            if p:
                with open(os.path.join(out, hashlib.sha1(p).hexdigest()), 'wb') as fh:
                    fh.write(p)
                n += 1
    print(f'dns-seeds: {n} payloads')


main()
