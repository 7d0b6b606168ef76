/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Go crypto/tls calls in flight, shared by the Go uprobes (ssl_trace.bpf.c) and the socket syscall
 * hooks (socket_trace.bpf.c), which both include this file; the maps are __weak like those of
 * socket_common.bpf.h, so the static linker keeps one of each.
 *
 * A Go call is keyed by (tgid, goroutine), not by thread: a Read that blocks parks its goroutine and
 * resumes it on whichever thread the scheduler picks, and the thread runs other goroutines meanwhile.
 * Go's register ABI (amd64, Go >= 1.17) keeps the current goroutine (g) in R14 in all Go code,
 * including the raw SYSCALL of internal/runtime/syscall.Syscall6, so the uprobes and the syscall
 * hooks read the same key from the user registers.
 *
 * Included after tls_deliver.bpf.h.
 */
#ifndef SPANSCOPE_GO_TLS_BPF_H
#define SPANSCOPE_GO_TLS_BPF_H

struct st_go_call_key {
	__u64 goroutine;   /* the runtime's g pointer, from R14 */
	__u32 tgid;
	__u32 kind;        /* enum st_go_call_kind: a handshake can run inside a Read or Write */
};

enum st_go_call_kind {
	ST_GO_CALL_DATA = 0,       /* Conn.Read, Conn.Write */
	ST_GO_CALL_HANDSHAKE = 1,  /* Conn.handshakeContext */
};

/* st_ssl_call.direction of a handshake (next to ST_DIR_EGRESS / ST_DIR_INGRESS) */
#define ST_GO_DIR_HANDSHAKE 2
/* record headers looked at per handshake read */
#define ST_GO_HANDSHAKE_HEADERS 16

/*
 * LRU: a goroutine killed inside a call (its process exiting, a panic unwinding past the RET probes)
 * leaves an entry no RET removes; a g is reused by the runtime for later goroutines, and its next
 * call overwrites the entry, but one that is never reused must not fill the table.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct st_go_call_key);
	__type(value, struct st_ssl_call);
} go_tls_calls SEC(".maps") __weak;

/*
 * The complete TLS records of a Go handshake's last read, per Conn: Go reads as much as the socket
 * holds, so that read can also bring the first application records (a client's request sent right
 * behind its Finished, gRPC's preface, settings and first call), which the first Reads then serve from
 * Go's buffer with no syscall. Each such Read takes its record from here by length (go_tls_take_record).
 */
#define ST_GO_HANDSHAKE_RECORDS 8

struct st_go_handshake_records {
	__u32 seq[ST_GO_HANDSHAKE_RECORDS]; /* a ring of the last complete records, oldest at `first` */
	__u16 len[ST_GO_HANDSHAKE_RECORDS]; /* payload length (after the 5-byte header) */
	__u32 seen;        /* complete records the read held */
	__u32 first;
	__u32 count;       /* kept: min(seen, ST_GO_HANDSHAKE_RECORDS) */
	__u32 taken;       /* of those, how many Reads already took (from the oldest on) */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct st_ssl_key); /* (Conn, tgid) */
	__type(value, struct st_go_handshake_records);
} go_tls_handshake_records SEC(".maps") __weak;

/* One entry, 0 until a Go TLS call was first seen: hosts with none skip the lookup per syscall. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} go_tls_seen SEC(".maps") __weak;

/*
 * The Go crypto/tls call that the current socket syscall runs nested in, if any: the goroutine in the
 * user registers saved at syscall entry, looked up for this process: a Read or Write, or the
 * handshake running inside one (the innermost call owns the syscall). Handshakes alone are looked up
 * only when no Read or Write is in flight on the goroutine.
 */
static __always_inline struct st_ssl_call *go_tls_call_of_syscall(__u64 pid_tgid)
{
	struct st_go_call_key key = { .tgid = pid_tgid >> 32 };
	__u32 zero = 0, *seen = bpf_map_lookup_elem(&go_tls_seen, &zero);
	struct st_ssl_call *call, *handshake;
	struct pt_regs *regs;

	if (!seen || !*seen)
		return NULL;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	key.goroutine = regs->r14;
	call = bpf_map_lookup_elem(&go_tls_calls, &key);
	if (call && !call->handshaking)
		return call;
	key.kind = ST_GO_CALL_HANDSHAKE;
	handshake = bpf_map_lookup_elem(&go_tls_calls, &key);
	return handshake ? handshake : call;
}

/* One bpf_loop step over the record headers of a handshake read. */
struct go_record_walk {
	struct st_go_handshake_records *out;
	__u64 buf;
	__u32 seq;
	__u32 total;
	__u32 offset;
};

static long go_record_step(__u32 index, struct go_record_walk *w)
{
	__u8 header[ST_TLS_RECORD_HEADER_BYTES];
	__u32 len, end, slot;

	if (w->offset + ST_TLS_RECORD_HEADER_BYTES > w->total)
		return 1;
	if (bpf_probe_read_user(header, sizeof(header), (void *)(w->buf + w->offset)))
		return 1;
	if (header[0] < 20 || header[0] > 24 || header[1] != 3)
		return 1; /* not a record start */
	len = (__u32)header[3] << 8 | header[4];
	end = w->offset + ST_TLS_RECORD_HEADER_BYTES + len;
	if (end > w->total)
		return 1; /* its end comes with a later read */
	/* the last ST_GO_HANDSHAKE_RECORDS complete records, in a ring; next marks the oldest kept */
	slot = w->out->seen & (ST_GO_HANDSHAKE_RECORDS - 1);
	w->out->seq[slot] = w->seq + w->offset;
	w->out->len[slot] = len;
	w->out->seen++;
	w->offset = end;
	return 0;
}

/* A read of the handshake: its complete records replace those of the handshake's earlier reads. */
static __always_inline void go_tls_handshake_read(__u64 pid_tgid, const struct st_ssl_call *call,
						  const struct st_active *a, __u32 total)
{
	struct st_ssl_key key = { .ssl = call->ssl, .tgid = pid_tgid >> 32 };
	struct st_go_handshake_records fresh = {}, *out;
	struct go_record_walk w = { .buf = a->buf, .seq = a->seq, .total = total };

	if (a->arg_kind != ST_ARG_BUF)
		return;
	bpf_map_update_elem(&go_tls_handshake_records, &key, &fresh, BPF_ANY);
	out = bpf_map_lookup_elem(&go_tls_handshake_records, &key);
	if (!out)
		return;
	w.out = out;
	bpf_loop(ST_GO_HANDSHAKE_HEADERS, go_record_step, &w, 0);
	/* a ring that wrapped keeps the newest: the handshake's own records come first in the read */
	out->count = out->seen < ST_GO_HANDSHAKE_RECORDS ? out->seen : ST_GO_HANDSHAKE_RECORDS;
	out->first = out->seen < ST_GO_HANDSHAKE_RECORDS ? 0 : out->seen & (ST_GO_HANDSHAKE_RECORDS - 1);
}

/* Did a record of this payload length carry exactly `total` plaintext bytes (AEAD: +17 TLS 1.3, +24 TLS 1.2 GCM, +16 ChaCha20)? */
static __always_inline bool go_record_holds(__u16 len, __u32 total)
{
	return total > 0 && len > total && (len - total == 17 || len - total == 24 || len - total == 16);
}

struct go_take_state {
	struct st_go_handshake_records *records;
	__u32 total;
	__s32 found;       /* position (from the oldest) of the first untaken record holding exactly total */
};

static long go_take_step(__u32 i, struct go_take_state *t)
{
	struct st_go_handshake_records *r = t->records;
	__u32 slot;

	if (i < r->taken)
		return 0;
	if (i >= r->count)
		return 1;
	slot = (r->first + i) & (ST_GO_HANDSHAKE_RECORDS - 1);
	if (go_record_holds(r->len[slot], t->total)) {
		t->found = i;
		return 1;
	}
	return 0;
}

/*
 * A Read of `total` bytes with no nested syscall on a Conn whose handshake left records: the first
 * untaken record that holds exactly that much plaintext (earlier ones were the handshake's own, e.g.
 * its Finished, of the same content type as application data in TLS 1.3) becomes the call's record,
 * as if a nested read had shown it. A Read that matches none (a caller's buffer smaller than the
 * record) ends the use of these records: the usual numbering (the last record + bytes handed out)
 * goes on from there.
 */
static __always_inline void go_tls_take_record(__u64 pid_tgid, struct st_ssl_call *call, __u32 total)
{
	struct st_ssl_key key = { .ssl = call->ssl, .tgid = pid_tgid >> 32 };
	struct go_take_state t = { .total = total, .found = -1 };
	__u32 slot;

	t.records = bpf_map_lookup_elem(&go_tls_handshake_records, &key);
	if (!t.records)
		return;
	if (call->fd >= 0) {
		/* Go read the socket: whatever the handshake's read held is used up */
		bpf_map_delete_elem(&go_tls_handshake_records, &key);
		return;
	}
	bpf_loop(ST_GO_HANDSHAKE_RECORDS, go_take_step, &t, 0);
	if (t.found < 0) {
		bpf_map_delete_elem(&go_tls_handshake_records, &key);
		return;
	}
	slot = (t.records->first + t.found) & (ST_GO_HANDSHAKE_RECORDS - 1);
	call->read_seq = t.records->seq[slot];
	call->read_seq_source = ST_SSL_SEQ_RECORD_HEADER;
	t.records->taken = t.found + 1;
}

/*
 * Where Go's own record state lies in a crypto/tls.Conn of one binary, keyed by the attach cookie of its
 * probes; offsets from the Conn, summed by user space from the binary's DWARF (GoTlsConnLayout). A binary
 * without DWARF has no entry: its Reads are numbered by the handshake records above and the last read.
 */
struct st_go_conn_layout {
	__u32 version;      /* vers: the negotiated TLS version (uint16) */
	__u32 cipher_suite; /* cipherSuite (uint16) */
	__u32 raw_data;     /* rawInput.buf's data pointer: received ciphertext, consumed up to rawInput.off */
	__u32 raw_len;      /* rawInput.buf's length: its last byte is the last byte read from the socket */
	__u32 raw_off;      /* rawInput.off */
	__u32 input_data;   /* input.s's data pointer: the plaintext of the record being handed out */
	__u32 input_len;    /* input.s's length */
	__u32 input_index;  /* input.i: how much of it Reads took */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct st_go_conn_layout);
} go_tls_layouts SEC(".maps") __weak;

/*
 * Per Conn: where the ciphertext Go read from its socket ends (the nested reads of its Reads and
 * handshakes: sequence at entry + bytes returned), which is where rawInput's buffer ends. The socket's
 * copied_seq alone is not that: a read that also consumed the peer's FIN counts the FIN in it.
 */
struct st_go_received {
	__u32 end;
	__s32 fd;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct st_ssl_key); /* (Conn, tgid) */
	__type(value, struct st_go_received);
} go_tls_received SEC(".maps") __weak;

enum st_go_read_position {
	ST_GO_POSITION_NO_LAYOUT = 0, /* the binary has no DWARF layout: the fallback numbers the Read */
	ST_GO_POSITION_FOUND = 1,
	ST_GO_POSITION_UNKNOWN = 2,   /* Go's state did not show the record (counted) */
	ST_GO_POSITION_NO_CONNECTION = 3, /* no traced connection behind the Conn (port filter): nothing to number */
};

/* bytes after a record's plaintext: the AEAD tag (16), in TLS 1.3 also the content type and any padding */
#define ST_GO_MIN_TRAILER 16
#define ST_GO_MAX_TRAILER (16 + 1 + 255)
/* TLS 1.2 AES-GCM: an 8-byte explicit nonce between the header and the ciphertext */
#define ST_GO_EXPLICIT_NONCE 8

/*
 * Is there, `gap` bytes before the plaintext, the header of an application-data record that holds the
 * plaintext, followed by a tag, and that Go already consumed? Go decrypts in place: the plaintext sits
 * where the record's payload was (after the explicit nonce of TLS 1.2 GCM, none for TLS 1.3 and ChaCha20).
 */
static __always_inline bool go_record_header_at(__u64 header, __u64 plain, __u64 plain_len, __u64 consumed_end)
{
	__u8 h[ST_TLS_RECORD_HEADER_BYTES];
	__u64 end, trailer;

	if (bpf_probe_read_user(h, sizeof(h), (void *)header))
		return false;
	if (h[0] != 23 || h[1] != 3 || h[2] != 3)
		return false;
	end = header + ST_TLS_RECORD_HEADER_BYTES + ((__u32)h[3] << 8 | h[4]);
	if (end > consumed_end || end < plain + plain_len)
		return false;
	trailer = end - (plain + plain_len);
	return trailer >= ST_GO_MIN_TRAILER && trailer <= ST_GO_MAX_TRAILER;
}

/*
 * Bytes of a record of this Conn beyond its plaintext, after the 5-byte header: TLS 1.3 adds the
 * content type and a 16-byte tag (Go never pads), TLS 1.2 AES-GCM an 8-byte explicit nonce and the tag,
 * ChaCha20-Poly1305 the tag. 0 for anything else (CBC pads, TLS 1.0/1.1) or without a layout.
 */
static __always_inline __u8 go_record_overhead(const struct st_ssl_call *call)
{
	struct st_go_conn_layout *layout = bpf_map_lookup_elem(&go_tls_layouts, &call->library_id);
	__u16 version = 0, suite = 0;

	if (!layout || bpf_probe_read_user(&version, sizeof(version), (void *)(call->ssl + layout->version)))
		return 0;
	if (version == 0x0304)
		return 17;
	if (version != 0x0303 || bpf_probe_read_user(&suite, sizeof(suite), (void *)(call->ssl + layout->cipher_suite)))
		return 0;
	switch (suite) {
	case 0x009c: case 0x009d: /* RSA AES-GCM */
	case 0xc02b: case 0xc02c: /* ECDHE-ECDSA AES-GCM */
	case 0xc02f: case 0xc030: /* ECDHE-RSA AES-GCM */
		return 24;
	case 0xcca8: case 0xcca9: /* ECDHE ChaCha20-Poly1305 */
		return 16;
	}
	return 0;
}

/*
 * copied_seq of the TCP socket at fd: the sequence number after the last byte read from it. Walks the
 * task with BPF_CORE_READ rather than socket_lookup.bpf.h's kfunc casts: this runs in the uprobe object,
 * and libbpf 1.1's static linker cannot merge one kfunc extern used by both objects (and a Read's RET is
 * far rarer than the syscalls sock_from_fd serves).
 */
static __always_inline bool go_socket_copied_seq(__s32 fd, __u32 *copied)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *file = NULL;
	struct socket *socket;
	struct sock *sk;

	if (fd < 0 || !fdt || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return false;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return false;
	if ((BPF_CORE_READ(file, f_inode, i_mode) & ST_S_IFMT) != ST_S_IFSOCK)
		return false;
	socket = BPF_CORE_READ(file, private_data);
	sk = BPF_CORE_READ(socket, sk);
	if (!sk || BPF_CORE_READ(sk, sk_type) != ST_SOCK_STREAM || BPF_CORE_READ(sk, sk_protocol) != ST_IPPROTO_TCP)
		return false;
	if (BPF_CORE_READ(sk, __sk_common.skc_family) != ST_AF_INET && BPF_CORE_READ(sk, __sk_common.skc_family) != ST_AF_INET6)
		return false;
	*copied = BPF_CORE_READ((struct tcp_sock *)sk, copied_seq);
	return true;
}

/* One bpf_loop step of go_alert_peek_record: the record headers of rawInput, from its start. */
struct go_record_scan {
	__u64 at;           /* the next header */
	__u64 end;          /* what Go consumed */
	__u64 last;         /* the header before `at` */
	__u64 before_last;
	__u32 records;
	__u16 last_len;
	__u16 before_last_len;
	__u8 last_type;
	__u8 before_last_type;
	__u8 found;         /* `last` ends exactly at `end` */
};

static long go_scan_step(__u32 index, struct go_record_scan *s)
{
	__u8 h[ST_TLS_RECORD_HEADER_BYTES];
	__u64 next;

	if (bpf_probe_read_user(h, sizeof(h), (void *)s->at) || h[0] < 20 || h[0] > 24 || h[1] != 3)
		return 1;
	next = s->at + ST_TLS_RECORD_HEADER_BYTES + ((__u32)h[3] << 8 | h[4]);
	if (next > s->end)
		return 1;
	s->before_last = s->last;
	s->before_last_len = s->last_len;
	s->before_last_type = s->last_type;
	s->last = s->at;
	s->last_len = (__u16)h[3] << 8 | h[4];
	s->last_type = h[0];
	s->records++;
	s->at = next;
	if (next == s->end) {
		s->found = 1;
		return 1;
	}
	return 0;
}

/* record headers walked at most to find a Read's record behind a close_notify */
#define ST_GO_SCAN_RECORDS 512
#define ST_TLS_ALERT 21
#define ST_TLS_APPLICATION_DATA 23

/*
 * TLS 1.2 only: a Read that emptied `input` finds a close_notify next in rawInput and reads it at once
 * (so it can return io.EOF with the data), which empties `input` again: the plaintext pointer is gone.
 * The record is then the one right before that alert, both the last Go consumed, and the Read returned the
 * tail of its plaintext. rawInput's buffer always starts with a record (Go consumes whole records and
 * moves what is left to the front), so its headers are walked from there (they are not decrypted in place).
 */
static __always_inline bool go_alert_peek_record(const struct st_ssl_call *call, __u64 raw_data, __u64 consumed_end,
						 __u32 n, __u64 *header, __u32 *offset)
{
	struct go_record_scan s = { .at = raw_data, .end = consumed_end };
	__u32 overhead = go_record_overhead(call), plain;

	if (!overhead || consumed_end <= raw_data)
		return false;
	bpf_loop(ST_GO_SCAN_RECORDS, go_scan_step, &s, 0);
	if (!s.found || s.records < 2 || s.last_type != ST_TLS_ALERT || s.before_last_type != ST_TLS_APPLICATION_DATA ||
	    s.before_last_len <= overhead)
		return false;
	plain = s.before_last_len - overhead;
	if (n > plain)
		return false;
	*header = s.before_last;
	*offset = plain - n;
	return true;
}

/*
 * The TCP sequence number of the first byte a Go Read returned `n` bytes of, from Go's own state at the
 * RET, whether or not the Read read the socket: crypto/tls hands out one record's plaintext at a time
 * (`input`), decrypted in place inside `rawInput`, the buffer of everything read from the socket and not
 * yet discarded, whose last byte is the last byte the Conn's nested reads brought (go_tls_received). So the
 * record's header lies just before the plaintext, and its number is that end minus its distance to the
 * buffer's end; the
 * Read's bytes start `input.i - n` into the record's plaintext. The header is checked (type, version, a
 * length that ends after the plaintext plus a tag, within what Go consumed), so a state that does not
 * show the record gives UNKNOWN rather than a number. The caller holds c.in: no other goroutine reads the
 * socket or moves rawInput meanwhile.
 */
static __always_inline enum st_go_read_position go_tls_read_position(__u64 pid_tgid, struct st_ssl_call *call,
								     __u32 n)
{
	struct st_go_conn_layout *layout = bpf_map_lookup_elem(&go_tls_layouts, &call->library_id);
	struct st_ssl_key key = { .ssl = call->ssl, .tgid = pid_tgid >> 32 };
	__u64 raw_data = 0, raw_len = 0, raw_off = 0, plain = 0, plain_len = 0, index = 0, header = 0, consumed_end;
	__s32 fd = call->fd;
	struct st_go_received *received;
	__u32 copied = 0, offset = 0;

	if (!layout)
		return ST_GO_POSITION_NO_LAYOUT;
	if (fd < 0) {
		struct st_ssl_conn *known = bpf_map_lookup_elem(&ssl_conns, &key);

		if (!known)
			return ST_GO_POSITION_NO_CONNECTION;
		fd = known->fd;
	}
	if (bpf_probe_read_user(&raw_data, sizeof(raw_data), (void *)(call->ssl + layout->raw_data)) ||
	    bpf_probe_read_user(&raw_len, sizeof(raw_len), (void *)(call->ssl + layout->raw_len)) ||
	    bpf_probe_read_user(&raw_off, sizeof(raw_off), (void *)(call->ssl + layout->raw_off)) ||
	    bpf_probe_read_user(&plain, sizeof(plain), (void *)(call->ssl + layout->input_data)) ||
	    bpf_probe_read_user(&plain_len, sizeof(plain_len), (void *)(call->ssl + layout->input_len)) ||
	    bpf_probe_read_user(&index, sizeof(index), (void *)(call->ssl + layout->input_index)))
		return ST_GO_POSITION_UNKNOWN;
	if (index > plain_len || raw_off > raw_len || raw_len > 0xffffffff)
		return ST_GO_POSITION_UNKNOWN;
	consumed_end = raw_data + raw_off;
	if (!plain) {
		/* input emptied after the data by a close_notify read with it (TLS 1.2) */
		if (!go_alert_peek_record(call, raw_data, consumed_end, n, &header, &offset))
			return ST_GO_POSITION_UNKNOWN;
	} else {
		if (index < n || plain < raw_data + ST_TLS_RECORD_HEADER_BYTES || plain + plain_len > consumed_end)
			return ST_GO_POSITION_UNKNOWN;
		header = plain - ST_TLS_RECORD_HEADER_BYTES;
		if (!go_record_header_at(header, plain, plain_len, consumed_end)) {
			header -= ST_GO_EXPLICIT_NONCE;
			if (header < raw_data || !go_record_header_at(header, plain, plain_len, consumed_end))
				return ST_GO_POSITION_UNKNOWN;
		}
		offset = index - n;
	}
	/* rawInput ends where the last nested read ended; the socket agrees unless a read was missed (or the
	 * FIN, one sequence number, was consumed after the data) */
	received = bpf_map_lookup_elem(&go_tls_received, &key);
	if (!received || received->fd != fd || !go_socket_copied_seq(fd, &copied) || copied - received->end > 1)
		return ST_GO_POSITION_UNKNOWN;
	call->fd = fd;
	call->read_seq = received->end - (__u32)(raw_data + raw_len - header) + offset;
	call->read_seq_source = ST_SSL_SEQ_GO_BUFFER;
	return ST_GO_POSITION_FOUND;
}

/*
 * A nested write of a Go Write. Go writes each record with its own write (a partial write continues it
 * in the next), and a reader numbers plaintext by the record that carried it (TCP sequence of its header +
 * offset into its plaintext). So each record's plaintext goes out as its own event, numbered by its header,
 * as the write that starts it ends: record k holds b's next (length - overhead) bytes. A write that does
 * not start where the current record ends, or a record that does not fit b, ends this: the rest of b goes
 * out at once, numbered from there (as for a Write whose records cannot be told apart: correct for its
 * first record only). Each record goes out as its write ends, not at the RET: the peer may answer as soon
 * as the record arrives, and the writing goroutine can be descheduled before it reaches its RET; the
 * answer's plaintext, read by another goroutine, would then reach user space before the request.
 */
static __always_inline void go_tls_write_record(__u64 pid_tgid, struct st_ssl_call *call, const struct st_active *a,
						__u32 total)
{
	__u8 h[ST_TLS_RECORD_HEADER_BYTES];
	__u32 offset, len = 0, plain, seq;
	__u64 buf = call->buf;

	if (call->delivered)
		return;
	if (call->writes == 1)
		call->go_overhead = go_record_overhead(call);
	if (call->go_record_left >= total) {
		call->go_record_left -= total;
		return;
	}
	offset = call->go_record_left;
	seq = a->seq + offset;
	plain = call->requested - call->go_plain_sent;
	if (call->go_overhead && a->arg_kind == ST_ARG_BUF &&
	    !bpf_probe_read_user(h, sizeof(h), (void *)(a->buf + offset)) && h[0] == 23 && h[1] == 3 && h[2] == 3) {
		len = (__u32)h[3] << 8 | h[4];
		if (len > call->go_overhead && len - call->go_overhead <= plain &&
		    offset + ST_TLS_RECORD_HEADER_BYTES + len >= total) {
			plain = len - call->go_overhead;
			call->go_record_left = offset + ST_TLS_RECORD_HEADER_BYTES + len - total;
		}
	}
	call->buf = buf + call->go_plain_sent;
	call->write_seq[0] = seq;
	tls_deliver(pid_tgid, call, plain, call->library_id, ST_CTR_GO_TLS_UNASSOCIATED);
	call->buf = buf;
	call->go_plain_sent += plain;
	if (call->go_plain_sent >= call->requested)
		call->delivered = 1;
}

/* A socket syscall nested in a Go call, after the shared bookkeeping of tls_ciphertext. */
static __always_inline void go_tls_nested_syscall(__u64 pid_tgid, struct st_ssl_call *call, const struct st_active *a,
						  bool egress, __u32 total)
{
	if (call->library != ST_TLS_GO)
		return;
	if (!egress) {
		struct st_ssl_key key = { .ssl = call->ssl, .tgid = pid_tgid >> 32 };
		struct st_go_received received = { .end = a->seq + total, .fd = a->fd };

		bpf_map_update_elem(&go_tls_received, &key, &received, BPF_ANY);
	}
	if (call->direction == ST_DIR_EGRESS && egress)
		go_tls_write_record(pid_tgid, call, a, total);
	else if (call->direction == ST_GO_DIR_HANDSHAKE && !egress)
		go_tls_handshake_read(pid_tgid, call, a, total);
}

#endif /* SPANSCOPE_GO_TLS_BPF_H */
