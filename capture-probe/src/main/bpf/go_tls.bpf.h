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

/*
 * A nested write of a Go Write has just sent its first record: the Write's plaintext goes out now,
 * not at its RET. The peer may answer as soon as the record arrives, and the goroutine can be
 * descheduled before it reaches its RET (it leaves the syscall through the scheduler); the reply's
 * plaintext, read by another goroutine, would then reach user space before the request it answers.
 * Go's Write sends all of b unless the connection fails, so all of b is reported.
 */
static __always_inline void go_tls_write_sent(__u64 pid_tgid, struct st_ssl_call *call)
{
	if (call->delivered)
		return;
	call->delivered = 1;
	tls_deliver(pid_tgid, call, call->requested, call->library_id, ST_CTR_GO_TLS_UNASSOCIATED);
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

/* A socket syscall nested in a Go call, after the shared bookkeeping of tls_ciphertext. */
static __always_inline void go_tls_nested_syscall(__u64 pid_tgid, struct st_ssl_call *call, const struct st_active *a,
						  bool egress, __u32 total)
{
	if (call->library != ST_TLS_GO)
		return;
	if (call->direction == ST_DIR_EGRESS && egress)
		go_tls_write_sent(pid_tgid, call);
	else if (call->direction == ST_GO_DIR_HANDSHAKE && !egress)
		go_tls_handshake_read(pid_tgid, call, a, total);
}

#endif /* SPANSCOPE_GO_TLS_BPF_H */
