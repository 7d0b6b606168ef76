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
/* record headers looked at per handshake read (a server flight is a handful of records) */
#define ST_GO_HANDSHAKE_RECORDS 8

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

/*
 * A read of the handshake: Go reads as much as the socket holds, so its last read can also bring
 * the first application records (a client's request sent right behind its Finished), which the first
 * Read then serves from Go's buffer with no syscall. The last complete records of each read are kept
 * (start and payload length, at most ST_SSL_RECORDS_KEPT - 1: what ssl_conns can hold pending); the
 * handshake's RET hands them to ssl_conns, and the first Read picks its own by length
 * (skip_handshake_records). A read with no complete record keeps nothing.
 */
static __always_inline void go_tls_handshake_read(struct st_ssl_call *call, const struct st_active *a, __u32 total)
{
	__u8 header[ST_TLS_RECORD_HEADER_BYTES];
	__u32 offset = 0, end, len;

	call->read_record_count = 0;
	if (a->arg_kind != ST_ARG_BUF)
		return;
	for (int i = 0; i < ST_GO_HANDSHAKE_RECORDS; i++) {
		if (offset + ST_TLS_RECORD_HEADER_BYTES > total)
			break;
		if (bpf_probe_read_user(header, sizeof(header), (void *)(a->buf + offset)))
			break;
		if (header[0] < 20 || header[0] > 24 || header[1] != 3)
			break; /* not a record start */
		len = (__u32)header[3] << 8 | header[4];
		end = offset + ST_TLS_RECORD_HEADER_BYTES + len;
		if (end > total)
			break; /* its end comes with a later read */
		if (call->read_record_count == ST_SSL_RECORDS_KEPT - 1) {
			call->read_records[0] = call->read_records[1];
			call->read_records[1] = call->read_records[2];
			call->read_record_lens[0] = call->read_record_lens[1];
			call->read_record_lens[1] = call->read_record_lens[2];
			call->read_record_count--;
		}
		if (call->read_record_count == 0) {
			call->read_records[0] = a->seq + offset;
			call->read_record_lens[0] = len;
		} else if (call->read_record_count == 1) {
			call->read_records[1] = a->seq + offset;
			call->read_record_lens[1] = len;
		} else {
			call->read_records[2] = a->seq + offset;
			call->read_record_lens[2] = len;
		}
		call->read_record_count++;
		offset = end;
	}
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
		go_tls_handshake_read(call, a, total);
}

#endif /* SPANSCOPE_GO_TLS_BPF_H */
