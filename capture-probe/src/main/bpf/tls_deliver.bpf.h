/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Turning a finished TLS library call into plaintext data events: which connection it belongs to and
 * which TCP sequence number its first byte gets. Shared by the uprobes (ssl_trace.bpf.c), which deliver
 * at the call's return, and the socket hooks (socket_trace.bpf.c), which deliver a Go Write at its first
 * nested write (go_tls.bpf.h); ssl_conns is __weak like the maps of socket_common.bpf.h.
 */
#ifndef SPANSCOPE_TLS_DELIVER_BPF_H
#define SPANSCOPE_TLS_DELIVER_BPF_H

/* Per process and SSL object: the connection of its last nested syscall, and its record numbers. */
struct st_ssl_key {
	__u64 ssl;
	__u32 tgid;
	__u32 reserved;
};

struct st_ssl_conn {
	__s32 fd;
	__u32 egress_seq;  /* sequence number of the last record per direction */
	__u32 ingress_seq;
	__u32 ingress_delivered; /* plaintext bytes of the last ingress record handed out so far */
	__u32 ingress_pending[ST_SSL_RECORDS_KEPT - 1]; /* read-ahead: later records of the last read */
	__u8 ingress_pending_count;
	__u8 ingress_record_done; /* the last call returned less than asked: its record is used up */
	__u8 reserved[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct st_ssl_key);
	__type(value, struct st_ssl_conn);
} ssl_conns SEC(".maps") __weak;

/*
 * TCP sequence number of the record that carries the first plaintext byte of a call, when a nested
 * syscall in the call's direction showed it. Writes: the plaintext went out as its last
 * ceil(bytes / 2^14) records, one write each, after whatever the library had pending.
 */
static __always_inline bool ssl_record_seq(const struct st_ssl_call *call, __u32 total, __u32 *seq)
{
	__u32 records, index;

	if (call->direction == ST_DIR_INGRESS) {
		*seq = call->read_seq_source == ST_SSL_SEQ_READ_AHEAD ? call->read_records[0] : call->read_seq;
		return call->read_seq_source != ST_SSL_SEQ_NONE && call->read_seq_source != ST_SSL_SEQ_UNKNOWN;
	}
	if (call->writes == 0)
		return false;
	if (call->library == ST_TLS_GO) {
		/* Go sends nothing pending inside Write, and sizes records itself (small ones first on a
		 * new connection), so the record count says nothing: the first write is the first record */
		*seq = call->write_seq[0];
		return true;
	}
	records = (total + ST_TLS_MAX_PLAINTEXT_RECORD - 1) / ST_TLS_MAX_PLAINTEXT_RECORD;
	index = call->writes > records ? call->writes - records : 0;
	if (index >= ST_SSL_WRITES_KEPT)
		index = 0; /* more pending records than kept: the first write is the best guess */
	*seq = call->write_seq[index];
	return true;
}

/* The records after the first of a read-ahead read, waiting for the calls served from the buffer. */
static __always_inline void keep_pending_records(struct st_ssl_conn *next, const struct st_ssl_call *call)
{
	__u8 count = call->read_record_count;

	if (count > 1)
		next->ingress_pending[0] = call->read_records[1];
	if (count > 2)
		next->ingress_pending[1] = call->read_records[2];
	if (count > 3)
		next->ingress_pending[2] = call->read_records[3];
	next->ingress_pending_count = count > 1 ? count - 1 : 0;
}

/*
 * The connection of this call's plaintext, and the number of its first byte: the sequence number of
 * the record that carried it plus the plaintext bytes of that record that earlier calls already
 * handed out (a caller whose buffer is smaller than the record gets it over several calls, the later
 * ones served from the library's buffer with no syscall). Both ends then number a byte the same,
 * however each side's calls cut the plaintext: parsers add the offset into the event
 * (ChunkOrigin.sequenceAt). Writes always start a new record.
 */
static __always_inline bool ssl_connection(__u64 pid_tgid, const struct st_ssl_call *call, bool has_seq,
					   __u32 total, __s32 *fd, __u32 *seq)
{
	struct st_ssl_key key = { .ssl = call->ssl, .tgid = pid_tgid >> 32 };
	struct st_ssl_conn *known = bpf_map_lookup_elem(&ssl_conns, &key);
	struct st_ssl_conn next = { .fd = call->fd };

	if (known && (call->fd < 0 || known->fd == call->fd))
		next = *known;
	else if (call->fd < 0)
		return false; /* no syscall, and this SSL object was never seen on a connection */
	if (call->direction == ST_DIR_EGRESS) {
		if (has_seq)
			next.egress_seq = *seq;
		*seq = next.egress_seq;
	} else {
		if (has_seq) {
			next.ingress_seq = *seq;
			next.ingress_delivered = 0;
			next.ingress_pending_count = 0;
			if (call->read_seq_source == ST_SSL_SEQ_READ_AHEAD)
				keep_pending_records(&next, call);
		} else if (next.ingress_record_done && next.ingress_pending_count) {
			/* served from a read-ahead buffer, and the last record is used up: the next one */
			next.ingress_seq = next.ingress_pending[0];
			next.ingress_delivered = 0;
			next.ingress_pending[0] = next.ingress_pending[1];
			next.ingress_pending[1] = next.ingress_pending[2];
			next.ingress_pending_count--;
		}
		*seq = next.ingress_seq + next.ingress_delivered;
		next.ingress_delivered += total;
		/* a library returns at most one record per call, and all of it unless the caller's buffer is full */
		next.ingress_record_done = total > 0 && total < call->requested;
	}
	*fd = next.fd;
	bpf_map_update_elem(&ssl_conns, &key, &next, BPF_ANY);
	return true;
}

/*
 * Emits the plaintext of a finished TLS call that moved `total` bytes, as data events of the
 * connection of its nested syscall (or the one last seen for its TLS object), marked TLS and named by
 * library_id (the attach cookie of the probes on the library's file).
 */
static __always_inline void tls_deliver(__u64 pid_tgid, const struct st_ssl_call *call, __u32 total,
					__u32 library_id, enum st_counter unassociated)
{
	struct st_data_event *ev;
	struct st_active a = {};
	struct st_conn *conn;
	__u64 key;
	__u32 seq = 0;
	__s32 fd = -1;
	bool has_seq;

	has_seq = ssl_record_seq(call, total, &seq);
	if (!ssl_connection(pid_tgid, call, has_seq, total, &fd, &seq)) {
		if (total)
			count_add(unassociated, 1);
		return;
	}
	if (total == 0)
		return;
	key = conn_key(pid_tgid >> 32, fd);
	conn = bpf_map_lookup_elem(&conns, &key);
	if (!conn) {
		count_add(unassociated, 1);
		return;
	}
	conn->tls = 1;
	a.buf = call->buf;
	a.fd = fd;
	a.seq = seq;
	a.arg_kind = ST_ARG_BUF;
	a.syscall = call->direction == ST_DIR_EGRESS ? ST_SYS_SSL_WRITE : ST_SYS_SSL_READ;
	ev = prepare_data_event(pid_tgid, &a, conn, &conn->ends, call->direction);
	if (!ev)
		return;
	ev->flags |= ST_FLAG_TLS;
	if (call->read_seq_source == ST_SSL_SEQ_UNKNOWN)
		ev->flags |= ST_FLAG_SEQUENCE_UNKNOWN; /* numbered by the fallback, which can name another record */
	ev->tls_library = library_id;
	emit_payload(ev, &a, total);
}

#endif /* SPANSCOPE_TLS_DELIVER_BPF_H */
