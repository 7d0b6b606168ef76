#!/usr/bin/env python3
"""Writes the machine-readable sidecars of a test capture, cross-checked with tshark's dissectors.

  expectations.py exchanges PCAP CLIENT_LINES OUT_TSV
      CLIENT_LINES: what the clients themselves reported, one exchange per line:
      client_port method path status body_bytes (tab-separated; client_port "-" when the client cannot
      tell, allowed only when the capture holds one TCP stream). Writes OUT_TSV with header
      stream method path status response_body_bytes, where stream is tshark's tcp.stream index (order of
      first appearance, the same order in which PcapReader numbers connections, minus one). Fails when
      tshark's HTTP dissector disagrees on the method/path/status sequence of any stream.
  expectations.py exchanges-from-tshark PCAP OUT_TSV
      Same file, derived from tshark alone (for wrk, whose exact request count is decided at run time);
      body bytes from Content-Length.
  expectations.py streams PCAP OUT_TSV
      Per stream and direction the TCP payload bytes (sum of tcp.len): stream src dst payload_bytes.
"""
import collections
import subprocess
import sys


def tshark(pcap, *args):
    out = subprocess.run(["tshark", "-r", pcap, "-T", "fields", "-E", "separator=\t", *args],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line.strip()]


def tshark_exchanges(pcap):
    """stream -> list of [method, path, status, content_length] in order, from the HTTP dissector."""
    requests = collections.defaultdict(list)
    for frame, stream, methods, uris in tshark(pcap, "-Y", "http.request", "-e", "frame.number",
                                               "-e", "tcp.stream", "-e", "http.request.method",
                                               "-e", "http.request.uri"):
        for method, uri in zip(methods.split(","), uris.split(",")):
            requests[int(stream)].append([method, uri])
    responses = collections.defaultdict(list)
    for row in tshark(pcap, "-Y", "http.response", "-e", "tcp.stream", "-e", "http.response.code",
                      "-e", "http.content_length"):
        stream, codes = row[0], row[1]
        lengths = (row[2] if len(row) > 2 else "").split(",")
        for i, code in enumerate(codes.split(",")):
            if code.startswith("1"):
                continue  # interim responses (100 Continue) belong to the exchange of the final one
            length = lengths[i] if i < len(lengths) and lengths[i] else ""
            responses[int(stream)].append([code, length])
    exchanges = {}
    for stream in sorted(set(requests) | set(responses)):
        reqs, resps = requests[stream], responses[stream]
        exchanges[stream] = [r + s for r, s in zip(reqs, resps)]
        if len(reqs) != len(resps):
            exchanges[stream].append(["UNPAIRED", str(len(reqs)), str(len(resps)), ""])
    return exchanges


def port_to_stream(pcap):
    streams = {}
    for stream, src, dst in tshark(pcap, "-Y", "tcp", "-e", "tcp.stream", "-e", "tcp.srcport", "-e", "tcp.dstport"):
        streams.setdefault(src, set()).add(int(stream))
        streams.setdefault(dst, set()).add(int(stream))
    return streams


def write(out, rows):
    with open(out, "w") as f:
        f.write("stream\tmethod\tpath\tstatus\tresponse_body_bytes\n")
        for row in rows:
            f.write("\t".join(str(x) for x in row) + "\n")


def exchanges(pcap, client_lines, out):
    by_port = port_to_stream(pcap)
    all_streams = sorted(set().union(*by_port.values())) if by_port else []
    rows = []
    with open(client_lines) as f:
        for line in f:
            if not line.strip():
                continue
            port, method, path, status, size = line.rstrip("\n").split("\t")
            if port == "-":
                if len(all_streams) != 1:
                    sys.exit(f"{pcap}: client port unknown and {len(all_streams)} streams")
                stream = all_streams[0]
            else:
                candidates = by_port.get(port, set())
                if len(candidates) != 1:
                    sys.exit(f"{pcap}: client port {port} is in streams {sorted(candidates)}")
                stream = next(iter(candidates))
            rows.append([stream, method, path, status, size])
    rows.sort(key=lambda r: r[0])  # stable: keeps each stream's client order
    seen = {s: [e[:3] for e in ex] for s, ex in tshark_exchanges(pcap).items()}
    mine = collections.defaultdict(list)
    for stream, method, path, status, _ in rows:
        mine[stream].append([method, path, status])
    if dict(mine) != seen:
        sys.exit(f"{pcap}: clients say {dict(mine)} but tshark says {seen}")
    write(out, rows)


def exchanges_from_tshark(pcap, out):
    rows = []
    for stream, exs in sorted(tshark_exchanges(pcap).items()):
        for method, path, status, length in exs:
            if method == "UNPAIRED":
                sys.exit(f"{pcap}: stream {stream} has unpaired requests/responses")
            rows.append([stream, method, path, status, length or "0"])
    write(out, rows)


def streams(pcap, out):
    totals = collections.OrderedDict()
    for row in tshark(pcap, "-Y", "tcp", "-e", "tcp.stream", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport",
                      "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport", "-e", "tcp.len"):
        row += [""] * (9 - len(row))
        stream, ip4s, ip6s, sport, ip4d, ip6d, dport, length = row[:8]
        src = f"{ip4s}:{sport}" if ip4s else f"[{ip6s}]:{sport}"
        dst = f"{ip4d}:{dport}" if ip4d else f"[{ip6d}]:{dport}"
        key = (int(stream), src, dst)
        totals[key] = totals.get(key, 0) + int(length or 0)
    with open(out, "w") as f:
        f.write("stream\tsrc\tdst\tpayload_bytes\n")
        for (stream, src, dst), total in sorted(totals.items(), key=lambda kv: kv[0]):
            f.write(f"{stream}\t{src}\t{dst}\t{total}\n")


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "exchanges":
        exchanges(*sys.argv[2:5])
    elif command == "exchanges-from-tshark":
        exchanges_from_tshark(*sys.argv[2:4])
    elif command == "streams":
        streams(*sys.argv[2:4])
    else:
        sys.exit(__doc__)
