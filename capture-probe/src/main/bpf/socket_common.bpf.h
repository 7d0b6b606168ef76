/* SPDX-License-Identifier: GPL-2.0 */
/*
 * State and helpers shared by the BPF programs that are linked into one object (socket_trace.bpf.c,
 * ssl_trace.bpf.c; build.sh links them with `bpftool gen object`). Every map is defined here, __weak:
 * each program file sees the same definitions and the static linker keeps one map of each name, so
 * the socket hooks and the TLS uprobes share the ring buffer, the connection table and the in-flight
 * state. Helpers are static and compiled into each program file that uses them.
 */
#ifndef SPANSCOPE_SOCKET_COMMON_BPF_H
#define SPANSCOPE_SOCKET_COMMON_BPF_H

#define ST_EINPROGRESS 115
#define ST_MAX_MMSG 64
#define ST_TCP_ESTABLISHED 1
#define ST_TCP_SYN_SENT 2
#define ST_TCP_SYN_RECV 3
#define ST_TCP_CLOSE 7

#ifndef barrier_var
#define barrier_var(var) asm volatile("" : "+r"(var))
#endif

/* How the user memory of an in-flight syscall is described. */
enum st_arg_kind {
	ST_ARG_NONE = 0,   /* no payload (connect, accept, sendfile, *mmsg) */
	ST_ARG_BUF = 1,    /* one buffer: read, write, sendto, recvfrom */
	ST_ARG_IOV = 2,    /* iovec array: readv, writev, sendmsg, recvmsg */
};

/* A syscall in flight on a thread, from enter to exit. */
struct st_active {
	__u64 buf;         /* buffer, iovec array or mmsghdr array */
	__u64 sk;
	__u32 count;       /* iovec count or mmsg vlen (a buffer's length comes from the return value) */
	__s32 fd;
	__u32 seq;
	__u16 syscall;     /* enum st_syscall; 0: nothing in flight (the task storage slot outlives it) */
	__u8 arg_kind;
	__u8 sock_kind;
	__u8 known_conn;   /* enter found sk in "conns" with the same ports: exit may use its endpoints */
	__u8 reserved[7];
};

/*
 * One traced connection. It doubles as the hot path's cache: a data syscall on a known connection
 * (same sk, same ports) skips the socket checks, the endpoint reads and the port filter.
 */
struct st_conn {
	__u64 generation;
	__u64 sk;          /* tells a reused fd number from the connection we knew */
	struct st_endpoints ends; /* read once when registered; its ports also validate sk */
	__u64 bytes_sent;
	__u64 bytes_received;
	__u8 role;
	__u8 tls;          /* a TLS library call ran a syscall on it: its ciphertext is not forwarded */
	__u8 run_dir;      /* direction of the latest data (1 egress, 2 ingress, 0 none): see handoff.bpf.h */
	__u8 reserved[1];
	__u32 run_seq;     /* TCP sequence where the current run of that direction began */
};

/*
 * A TLS library call in flight on a thread (SSL_read/SSL_write and their _ex forms), from uprobe entry
 * to return. The socket hooks of the same thread see it and fill in the connection and the TCP
 * sequence number of the record that carries the plaintext.
 */
/*
 * Nested writes whose sequence numbers an SSL call keeps: the plaintext's first record is the
 * N-th last write, N = its record count, after at most a few records the library had pending
 * (TLS 1.3 session tickets, two by default in OpenSSL).
 */
#define ST_SSL_WRITES_KEPT 4
/* Record starts an SSL call keeps from one read-ahead read (nginx reads up to 16 KiB at once). */
#define ST_SSL_RECORDS_KEPT 4
/* Plaintext bytes per TLS record (2^14, RFC 8446 5.1) */
#define ST_TLS_MAX_PLAINTEXT_RECORD 16384

struct st_ssl_call {
	__u64 ssl;         /* the SSL * */
	__u64 buf;
	__u64 out_len;     /* size_t * of the _ex forms; 0: the return value is the byte count */
	__s32 fd;          /* from a nested socket syscall; -1 until one ran */
	__u32 read_seq;    /* reads: TCP sequence number of the record carrying the plaintext */
	__u32 write_seq[ST_SSL_WRITES_KEPT]; /* writes: sequence numbers of the first nested writes */
	__u32 read_records[ST_SSL_RECORDS_KEPT]; /* read-ahead: records found in the first nested read */
	__u32 requested;   /* bytes the caller asked for (reads: fewer returned = the record is used up) */
	__u8 direction;    /* enum st_direction */
	__u8 read_seq_source; /* enum st_ssl_seq_source */
	__u8 writes;       /* nested writes seen (saturating) */
	__u8 depth;        /* nested entries of exported SSL functions (one library calling another) */
	__u8 read_record_count;
	__u8 library;      /* enum st_tls_library_kind: whose record habits the sequence numbers follow */
	__u8 delivered;    /* the plaintext already went out (a Go Write: at its first nested write) */
	__u8 handshaking;  /* Go: a handshake runs inside this Read or Write; its syscalls are the handshake's */
	__u32 library_id;  /* the attach cookie of the library's probes, for events sent outside them */
	__u32 go_plain_sent;  /* Go Write: plaintext bytes already delivered with their records */
	__u32 go_record_left; /* Go Write: ciphertext bytes of the current record still to be written */
	__u8 go_overhead;     /* Go Write: a record's bytes beyond its plaintext after the header; 0 unknown */
	__u8 go_reserved[3];
};

enum st_tls_library_kind {
	ST_TLS_OPENSSL = 0,
	ST_TLS_GO = 1,     /* Go crypto/tls: calls keyed by goroutine (go_tls.bpf.h) */
};

enum st_ssl_seq_source {
	ST_SSL_SEQ_NONE = 0,
	ST_SSL_SEQ_FIRST_SYSCALL = 1,  /* the first nested read */
	ST_SSL_SEQ_RECORD_HEADER = 2,  /* a nested read of exactly one record header */
	ST_SSL_SEQ_READ_AHEAD = 3,     /* a nested read of whole records (read-ahead), parsed */
	ST_SSL_SEQ_GO_BUFFER = 4,      /* Go: read_seq is exact, from Go's own record state at the RET */
	ST_SSL_SEQ_UNKNOWN = 5,        /* Go: the record was not found; the event is marked, never linked by it */
};

/* A read of exactly this many bytes is OpenSSL reading one record header (no read-ahead). */
#define ST_TLS_RECORD_HEADER_BYTES 5

/* Handshake timing per struct sock, from sock:inet_sock_set_state. */
struct st_sk_timing {
	__u64 syn_sent_ns;
	__u64 established_ns;
	__u64 generation;  /* set when a nonblocking connect() returned before the handshake ended */
	__u32 tgid;
	__u32 tid;
	__s32 fd;
	__u32 emitted;     /* claimed (CAS 0 -> 1) by whoever emits the ESTABLISHED event */
};

/* One data event under construction: header followed by up to one chunk of payload. */
struct st_data_scratch {
	__u8 bytes[sizeof(struct st_data_event) + ST_CHUNK_BYTES];
};

/* Progress of one payload walk. */
struct walk_state {
	__u64 seg_ptr;     /* current user memory segment */
	__u64 seg_left;
	__u64 iov_ptr;     /* next struct iovec to load */
	__u32 iov_left;
	__u32 walked;      /* bytes copied (or attempted) so far */
	__u32 reported;    /* stream bytes covered by emitted events */
	__u32 limit;       /* min(total, payload cap) */
	__u32 total;       /* bytes the syscall moved */
	__u32 seq;         /* TCP sequence of the syscall's first byte */
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* user space sets the real size before load */
} events SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct st_config);
} settings SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} generation_seq SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ST_CTR_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64); /* tgid << 32 | fd */
	__type(value, struct st_conn);
} conns SEC(".maps") __weak;

/*
 * Task storage rather than a hash keyed by pid_tgid: finding the current thread's slot is a pointer
 * walk from the task, with no hashing, no element allocation on enter and no delete on exit; the slot
 * is freed with the thread.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct st_active);
} active SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* struct sock * */
	__type(value, struct st_sk_timing);
} sk_timing SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct st_data_scratch);
} data_scratch SEC(".maps") __weak;

/*
 * The walk state lives in a per-CPU map, not on the stack: the verifier then sees its fields as
 * unknown scalars and checks the bpf_loop callback once, instead of exploring every constant
 * iovec count it could track through the stack.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct walk_state);
} walk_scratch SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} pid_filter SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} cgroup_filter SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u16);
	__type(value, __u8);
} port_filter SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct st_ssl_call);
} ssl_calls SEC(".maps") __weak;

static __always_inline void count_add(enum st_counter index, __u64 amount)
{
	__u32 key = index;
	__u64 *value = bpf_map_lookup_elem(&counters, &key);

	if (value)
		*value += amount; /* per-CPU slot: no atomics needed */
}

static __always_inline struct st_config *get_config(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&settings, &zero);
}

/*
 * Waking the reader for every event costs a context switch per event, which at high request rates
 * costs more than the capture itself. Events go in silently; the event that makes the waiting bytes
 * cross a multiple of wakeup_bytes wakes the reader. Only the crossing wakes: a forced wakeup raises
 * an irq_work (a self-IPI, a VM exit under virtualization), and forcing one on every event while a
 * busy reader has not yet run doubled the cost of each event. Should two CPUs race past the same
 * multiple unnoticed, the next multiple wakes it; the reader also polls with a short timeout, and
 * poll(2) reports data already waiting, so a trickle is never held back for long.
 */
static __always_inline __u64 ringbuf_flags(__u32 event_bytes)
{
	struct st_config *cfg = get_config();
	__u64 waiting, multiples;

	if (!cfg || cfg->wakeup_bytes == 0)
		return 0;
	/* wakeup_bytes is a power of two: masks instead of two 64-bit divisions per event */
	multiples = ~((__u64)cfg->wakeup_bytes - 1);
	waiting = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	/* the ring's 8-byte record header, length rounded up to 8 */
	return (waiting & multiples) != ((waiting + ((event_bytes + 15) & ~7u)) & multiples) ? BPF_RB_FORCE_WAKEUP
											       : BPF_RB_NO_WAKEUP;
}

static __always_inline __u64 next_generation(void)
{
	__u32 zero = 0;
	__u64 *seq = bpf_map_lookup_elem(&generation_seq, &zero);

	return seq ? __sync_fetch_and_add(seq, 1) + 1 : 0;
}

static __always_inline __u64 conn_key(__u32 tgid, __s32 fd)
{
	return ((__u64)tgid << 32) | (__u32)fd;
}

/* ---- filters ---------------------------------------------------------------------------------- */

/* An empty filter map is not looked up at all: this runs on every socket syscall of every process. */
static __always_inline bool process_traced(__u32 tgid)
{
	struct st_config *cfg = get_config();
	__u8 *verdict;
	__u64 cgroup;

	if (!cfg || (cfg->self_tgid && cfg->self_tgid == tgid))
		return false;
	if (cfg->filter_flags & ST_FILTER_PID_LISTED) {
		verdict = bpf_map_lookup_elem(&pid_filter, &tgid);
		if (verdict && (*verdict & ST_FILTER_DENY))
			return false;
		if ((cfg->filter_flags & ST_FILTER_PID_ALLOW_ACTIVE) && !(verdict && (*verdict & ST_FILTER_ALLOW)))
			return false;
	}
	if (cfg->filter_flags & ST_FILTER_CGROUP_LISTED) {
		cgroup = bpf_get_current_cgroup_id();
		verdict = bpf_map_lookup_elem(&cgroup_filter, &cgroup);
		if (verdict && (*verdict & ST_FILTER_DENY))
			return false;
		if ((cfg->filter_flags & ST_FILTER_CGROUP_ALLOW_ACTIVE) &&
		    !(verdict && (*verdict & ST_FILTER_ALLOW)))
			return false;
	}
	return true;
}

/* A port matches on either end, so denying a server port hides both the server and its clients. */
static __always_inline bool ports_traced(const struct st_endpoints *ends)
{
	struct st_config *cfg = get_config();
	__u16 local = ends->local_port, remote = ends->remote_port;
	__u8 *lv, *rv;
	__u8 both;

	if (!cfg)
		return false;
	lv = bpf_map_lookup_elem(&port_filter, &local);
	rv = bpf_map_lookup_elem(&port_filter, &remote);
	both = (lv ? *lv : 0) | (rv ? *rv : 0);
	if (both & ST_FILTER_DENY)
		return false;
	if ((cfg->filter_flags & ST_FILTER_PORT_ALLOW_ACTIVE) && !(both & ST_FILTER_ALLOW))
		return false;
	return true;
}

/* ---- fixed-size events ------------------------------------------------------------------------ */

static __always_inline void fill_header(struct st_event_header *hdr, __u32 type, __u64 pid_tgid,
					__s32 fd, __u64 generation)
{
	hdr->type = type;
	hdr->tgid = pid_tgid >> 32;
	hdr->tid = (__u32)pid_tgid;
	hdr->fd = fd;
	hdr->timestamp_ns = bpf_ktime_get_ns();
	hdr->generation = generation;
}

static __always_inline void emit_open(__u64 pid_tgid, __s32 fd, const struct st_conn *conn,
				      const struct st_endpoints *ends, __u16 syscall, __u32 flags)
{
	struct st_open_event *ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);

	if (!ev) {
		count_add(ST_CTR_RINGBUF_DROPS, 1);
		return;
	}
	fill_header(&ev->hdr, ST_EVENT_OPEN, pid_tgid, fd, conn->generation);
	ev->ends = *ends;
	ev->cgroup_id = bpf_get_current_cgroup_id();
	ev->syscall = syscall;
	ev->role = conn->role;
	ev->reserved = 0;
	ev->flags = flags;
	bpf_ringbuf_submit(ev, ringbuf_flags(sizeof(*ev)));
}

static __always_inline void emit_established(__u64 pid_tgid, __s32 fd, __u64 generation, __u8 role,
					     __u64 syn_sent_ns, __u64 established_ns, __u64 accepted_ns)
{
	struct st_established_event *ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);

	if (!ev) {
		count_add(ST_CTR_RINGBUF_DROPS, 1);
		return;
	}
	fill_header(&ev->hdr, ST_EVENT_ESTABLISHED, pid_tgid, fd, generation);
	ev->syn_sent_ns = syn_sent_ns;
	ev->established_ns = established_ns;
	ev->accepted_ns = accepted_ns;
	ev->role = role;
	__builtin_memset(ev->reserved, 0, sizeof(ev->reserved));
	bpf_ringbuf_submit(ev, ringbuf_flags(sizeof(*ev)));
}

static __always_inline void emit_process_event(__u32 type)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct st_process_event *ev;

	/* the pid/cgroup filters apply: metadata is only wanted for processes that are traced */
	if (!process_traced(pid_tgid >> 32))
		return;
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		count_add(ST_CTR_RINGBUF_DROPS, 1);
		return;
	}
	fill_header(&ev->hdr, type, pid_tgid, -1, 0);
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));
	bpf_ringbuf_submit(ev, ringbuf_flags(sizeof(*ev)));
}

/* ---- connection tracking ---------------------------------------------------------------------- */

static __always_inline bool same_ports(const struct st_endpoints *a, const struct st_endpoints *b)
{
	return a->local_port == b->local_port && a->remote_port == b->remote_port;
}

/*
 * The entry of a connection we know, if sk is still that connection: same socket and same ports
 * (two plain loads), so a socket freed and reallocated at the same address behind an fd we did not
 * see closed is not mistaken for it.
 */
static __always_inline struct st_conn *known_conn(__u64 key, struct sock *sk)
{
	struct st_conn *conn = bpf_map_lookup_elem(&conns, &key);
	__u16 local, remote;

	if (!conn || conn->sk != (__u64)sk)
		return NULL;
	read_ports(sk, &local, &remote);
	if (local != conn->ends.local_port || remote != conn->ends.remote_port)
		return NULL;
	return conn;
}

static __always_inline struct st_conn *register_conn(__u64 pid_tgid, __s32 fd, struct sock *sk,
						     const struct st_endpoints *ends, __u8 role)
{
	__u64 key = conn_key(pid_tgid >> 32, fd);
	struct st_conn conn = {
		.generation = next_generation(),
		.sk = (__u64)sk,
		.ends = *ends,
		.role = role,
	};

	if (bpf_map_update_elem(&conns, &key, &conn, BPF_ANY))
		return NULL;
	return bpf_map_lookup_elem(&conns, &key);
}

/*
 * The connection a data syscall touched. An fd we never saw connect/accept (open before capture
 * started, or its number reused behind our back) is announced as joined mid-stream, role unknown.
 */
static __always_inline struct st_conn *conn_for_data(__u64 pid_tgid, __s32 fd, struct sock *sk,
						     const struct st_endpoints *ends, __u16 syscall)
{
	__u64 key = conn_key(pid_tgid >> 32, fd);
	struct st_conn *conn = bpf_map_lookup_elem(&conns, &key);

	if (conn && conn->sk == (__u64)sk && same_ports(&conn->ends, ends))
		return conn;
	conn = register_conn(pid_tgid, fd, sk, ends, ST_ROLE_UNKNOWN);
	if (conn)
		emit_open(pid_tgid, fd, conn, ends, syscall, ST_FLAG_JOINED_MID_STREAM);
	return conn;
}

/* ---- payload walker --------------------------------------------------------------------------- */


static __always_inline void output_data(struct st_data_event *ev)
{
	__u32 len = ev->payload_len;

	barrier_var(len);
	if (len > ST_CHUNK_BYTES)
		len = ST_CHUNK_BYTES;
	if (bpf_ringbuf_output(&events, ev, sizeof(*ev) + len, ringbuf_flags(sizeof(*ev) + len))) {
		count_add(ST_CTR_RINGBUF_DROPS, 1);
		count_add(ST_CTR_RINGBUF_DROP_BYTES, ev->byte_count);
	}
}

/* Copies up to one chunk of user memory into ev's payload; returns the length it stands for. */
static __always_inline __u32 fill_chunk(struct st_data_event *ev, __u64 ptr, __u32 len, __u32 seq)
{
	barrier_var(len);
	if (len > ST_CHUNK_BYTES)
		len = ST_CHUNK_BYTES;
	ev->flags &= ~(ST_FLAG_READ_FAULT | ST_FLAG_TRUNCATED);
	ev->payload_len = len;
	if (bpf_probe_read_user(ev->payload, len, (void *)ptr)) {
		ev->payload_len = 0;
		ev->flags |= ST_FLAG_READ_FAULT | ST_FLAG_TRUNCATED;
		count_add(ST_CTR_READ_FAULTS, 1);
	}
	ev->tcp_seq = seq;
	ev->byte_count = len;
	return len;
}

/* One bpf_loop step: load the next iovec, or emit one chunk of the current segment. */
static long walk_step(__u32 index, void *unused)
{
	__u32 zero = 0, len;
	struct st_data_scratch *scratch;
	struct st_data_event *ev;
	struct walk_state *w = bpf_map_lookup_elem(&walk_scratch, &zero);

	if (!w)
		return 1;
	if (w->walked >= w->limit)
		return 1;
	if (w->seg_left == 0) {
		struct iovec iov;

		if (w->iov_left == 0 || bpf_probe_read_user(&iov, sizeof(iov), (void *)w->iov_ptr))
			return 1;
		w->iov_ptr += sizeof(iov);
		w->iov_left--;
		w->seg_ptr = (__u64)iov.iov_base;
		w->seg_left = iov.iov_len;
		if (w->seg_left == 0)
			return 0;
		/* fall through: the first chunk of this iovec goes out in the same step */
	}
	scratch = bpf_map_lookup_elem(&data_scratch, &zero);
	if (!scratch)
		return 1;
	ev = (struct st_data_event *)scratch->bytes;
	len = w->limit - w->walked;
	if (len > w->seg_left)
		len = w->seg_left;
	len = fill_chunk(ev, w->seg_ptr, len, w->seq + w->walked);
	w->walked += len;
	w->seg_ptr += len;
	w->seg_left -= len;
	if (w->walked >= w->limit && w->limit < w->total) {
		/* the cap cut this syscall: the last event stands for the uncaptured rest too */
		ev->byte_count += w->total - w->limit;
		ev->flags |= ST_FLAG_TRUNCATED;
		count_add(ST_CTR_TRUNCATED_BYTES, w->total - w->limit);
	}
	w->reported += ev->byte_count;
	output_data(ev);
	return 0;
}

/* Fills the per-CPU scratch event with everything but the per-chunk fields. */
static __always_inline struct st_data_event *prepare_data_event(__u64 pid_tgid, const struct st_active *a,
								 const struct st_conn *conn,
								 const struct st_endpoints *ends, __u8 direction)
{
	__u32 zero = 0;
	struct st_data_scratch *scratch = bpf_map_lookup_elem(&data_scratch, &zero);
	struct st_data_event *ev;

	if (!scratch)
		return NULL;
	ev = (struct st_data_event *)scratch->bytes;
	fill_header(&ev->hdr, ST_EVENT_DATA, pid_tgid, a->fd, conn->generation);
	ev->ends = *ends;
	ev->cgroup_id = bpf_get_current_cgroup_id();
	ev->syscall = a->syscall;
	ev->direction = direction;
	ev->role = conn->role;
	ev->flags = a->arg_kind == ST_ARG_NONE ? ST_FLAG_NO_PAYLOAD : 0;
	ev->tls_library = 0;
	ev->client_wakeup_age_ns = 0;
	ev->cause_seq = 0;
	ev->cause_generation = 0;
	return ev;
}

/* iovec arrays up to this long are emitted without the bpf_loop walk when they need no splitting */
#define ST_SMALL_IOV 4

/*
 * A few iovecs (nginx's writev of headers + body) that hold all `total` bytes, none of them used for
 * more than one chunk, and no cap cut: one event per non-empty iovec, the same events the walk would
 * emit. False, having emitted nothing, when the case is not that simple.
 */
static __always_inline bool emit_small_iov(struct st_data_event *ev, const struct st_active *a, __u32 total)
{
	struct iovec iov[ST_SMALL_IOV];
	__u32 count = a->count, used[ST_SMALL_IOV] = {}, covered = 0;
	int i;

	if (count == 0 || count > ST_SMALL_IOV)
		return false;
	if (bpf_probe_read_user(iov, count * sizeof(iov[0]), (void *)a->buf))
		return false;
	for (i = 0; i < ST_SMALL_IOV; i++) {
		__u64 len;

		if (i >= count || covered >= total)
			break;
		len = iov[i].iov_len;
		if (len > total - covered)
			len = total - covered;
		if (len > ST_CHUNK_BYTES)
			return false;
		used[i] = len;
		covered += len;
	}
	if (covered < total)
		return false;
	covered = 0;
	for (i = 0; i < ST_SMALL_IOV; i++) {
		if (used[i] == 0)
			continue;
		fill_chunk(ev, (__u64)iov[i].iov_base, used[i], a->seq + covered);
		covered += used[i];
		output_data(ev);
	}
	return true;
}

/*
 * Emits the payload of a syscall (or SSL call) that moved `total` bytes as events of up to one chunk.
 * The common cases, one buffer of one chunk or a few small iovecs within the cap, go out directly;
 * anything else walks the memory with bpf_loop.
 */
static __always_inline void emit_payload(struct st_data_event *ev, const struct st_active *a, __u32 total)
{
	struct st_config *cfg = get_config();
	__u32 cap = cfg ? cfg->payload_cap : 0;
	__u32 zero = 0, loops;
	struct walk_state *w;

	if (cap > ST_MAX_PAYLOAD_CAP)
		cap = ST_MAX_PAYLOAD_CAP;
	if (a->arg_kind == ST_ARG_BUF && total <= cap && total <= ST_CHUNK_BYTES) {
		/* the common small read or write: one event, the same one the walk would emit */
		fill_chunk(ev, a->buf, total, a->seq);
		output_data(ev);
		return;
	}
	if (a->arg_kind == ST_ARG_IOV && total <= cap && emit_small_iov(ev, a, total))
		return;
	w = bpf_map_lookup_elem(&walk_scratch, &zero);
	if (!w)
		return;
	__builtin_memset(w, 0, sizeof(*w));
	w->total = total;
	w->seq = a->seq;
	w->limit = a->arg_kind == ST_ARG_NONE ? 0 : (total < cap ? total : cap);
	if (a->arg_kind == ST_ARG_BUF) {
		w->seg_ptr = a->buf;
		w->seg_left = total;
	} else if (a->arg_kind == ST_ARG_IOV) {
		w->iov_ptr = a->buf;
		w->iov_left = a->count < ST_MAX_IOV ? a->count : ST_MAX_IOV;
	}
	/* one step per chunk, and at most one extra per iovec (a chunk never spans two iovecs) */
	loops = w->limit / ST_CHUNK_BYTES + 1 + 2 * w->iov_left;
	if (w->limit)
		bpf_loop(loops, walk_step, NULL, 0);
	if (w->reported < total) {
		/* metadata-only syscall, cap 0, or iovecs that ended early: one event for the hole */
		ev->tcp_seq = a->seq + w->reported;
		ev->byte_count = total - w->reported;
		ev->payload_len = 0;
		if (a->arg_kind != ST_ARG_NONE) {
			ev->flags |= ST_FLAG_TRUNCATED;
			count_add(ST_CTR_TRUNCATED_BYTES, total - w->reported);
		}
		output_data(ev);
	}
}

/* ---- data syscalls ---------------------------------------------------------------------------- */

static __always_inline bool is_egress(__u16 syscall)
{
	return syscall == ST_SYS_WRITE || syscall == ST_SYS_WRITEV || syscall == ST_SYS_SENDTO ||
	       syscall == ST_SYS_SENDMSG || syscall == ST_SYS_SENDMMSG || syscall == ST_SYS_SENDFILE;
}

/* ---- per-thread in-flight syscall -------------------------------------------------------------- */

static __always_inline void active_put(const struct st_active *a)
{
	struct st_active *slot = bpf_task_storage_get(&active, bpf_get_current_task_btf(), 0,
						      BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (slot)
		*slot = *a;
	else
		count_add(ST_CTR_ACTIVE_DROPS, 1);
}

/* Moves the thread's in-flight syscall into out and clears the slot; false if there was none. */
static __always_inline bool active_take(struct st_active *out)
{
	struct st_active *slot = bpf_task_storage_get(&active, bpf_get_current_task_btf(), 0, 0);

	if (!slot || slot->syscall == 0)
		return false;
	*out = *slot;
	slot->syscall = 0;
	return true;
}

#endif /* SPANSCOPE_SOCKET_COMMON_BPF_H */
