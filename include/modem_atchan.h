/*
 * modem_atchan.h: the AT engine (src/modem/atchan.c).  It sits on the
 * pure layer of src/at (lexer, final-result and URC tables): a queue of
 * commands with one in flight, a libevent timer per command, final
 * result classification, URC separation and the "> " prompt flow.  It
 * does no I/O itself: bytes go out through ops->write and come in by
 * atchan_feed(), so unit tests drive it with byte strings.
 */
#ifndef CG_MODEM_ATCHAN_H
#define CG_MODEM_ATCHAN_H

#include <stddef.h>
#include <stdint.h>

/* Nothing higher is included: the engine's own types are here, and
 * modem.h (the module's face) takes them from this header. */

struct event_base;
struct atchan;

/* How a command ended. */
enum modem_final {
	MODEM_OK,
	MODEM_ERROR,		/* ERROR (or a vendor equivalent) */
	MODEM_CME_ERROR,	/* +CME ERROR: code */
	MODEM_CMS_ERROR,	/* +CMS ERROR: code */
	MODEM_NO_CARRIER,	/* also BUSY, NO ANSWER, NO DIALTONE */
	MODEM_CONNECT,
	MODEM_TIMEOUT,		/* no final result within the timeout */
	MODEM_GONE,		/* never finished: port closed, re-init */
	MODEM_FINAL_MAX
};

const char *modem_final_name(enum modem_final);

/* How far a command got before it ended: what the modem may have seen.
 * A command ended at MODEM_STAGE_QUEUED was never written (safe to send
 * again); at MODEM_STAGE_PDU its PDU reached the port (it may have gone
 * out even without an answer). */
enum modem_stage {
	MODEM_STAGE_QUEUED,	/* never written */
	MODEM_STAGE_WRITTEN,	/* the command line was written */
	MODEM_STAGE_PDU		/* the PDU after "> " was written too */
};

/*
 * A finished command, valid only during the done() callback.  lines are
 * the intermediate response lines in order (echo and URCs removed; the
 * PDU line after a +CMGL/+CMGR header follows that header), raw bytes
 * from the modem: escape them before logging.  final_line is the final
 * result code as received ("OK", "+CME ERROR: 10"), or "TIMEOUT" /
 * "GONE".  code is the CME/CMS error number, -1 otherwise.
 */
struct modem_response {
	const char		*command;
	enum modem_final	 final;
	long			 code;
	const char		*final_line;
	enum modem_stage	 stage;
	size_t			 nlines;
	const char *const	*lines;
};

typedef void modem_done_fn(const struct modem_response *, void *arg);

/* Called at the "> " prompt, just before the PDU is written (from inside
 * atchan_feed): 0 writes it; -1 cancels the message with ESC instead (the
 * command then ends MODEM_ERROR "ABORTED" at MODEM_STAGE_WRITTEN).  The
 * place to commit "this PDU may now go out" before it can. */
typedef int modem_prompt_fn(void *arg);

#define MODEM_CMD_MAX		512	/* longest command line, bytes */
#define MODEM_PDU_MAX		(2 * 180)	/* hex digits */
#define MODEM_QUEUE_MAX		64	/* commands waiting at once */


struct atchan_ops {
	/* Write bytes to the modem; 0, or -1 (the port failed). */
	int	(*write)(const void *, size_t, void *arg);
	/* An unsolicited line (pdu: the PDU line after +CMT/+CDS, or NULL);
	 * id is the src/at table's id, AT_URC_NONE for an extra prefix. */
	void	(*urc)(int id, const char *line, const char *pdu, void *arg);
	/* Is this unknown line unsolicited (vendor or subscribed prefix)? */
	int	(*is_urc)(const char *line, size_t len, void *arg);
	/* The modem echoed a command although echo was turned off. */
	void	(*echo_back)(void *arg);
};

#define ATCHAN_SECRET	0x01	/* log the command as "AT+CPIN=***" */
#define ATCHAN_FRONT	0x02	/* queue ahead of others (recovery probes) */
#define ATCHAN_QUIET	0x04	/* log at debug level only (polls) */
#define ATCHAN_STORAGE	0x08	/* reads and deletes of stored messages:
				 * ahead of everything but ATCHAN_FRONT,
				 * in order among themselves */

#define ATCHAN_LINES_MAX	1024	/* response lines kept per command */
#define ATCHAN_RESP_MAX		(256 * 1024)	/* bytes kept per command */

struct atchan *atchan_new(struct event_base *, const struct atchan_ops *,
    void *arg);
/* Completes every queued command with MODEM_GONE, then frees. */
void atchan_free(struct atchan *);
void atchan_feed(struct atchan *, const uint8_t *, size_t);
/* Queue a command (see modem_submit); flags ATCHAN_*.  Its handle (never
 * 0, never reused), or 0 when it cannot be queued. */
uint64_t atchan_submit(struct atchan *, const char *cmd, const char *pdu,
    int timeout_ms, unsigned flags, modem_done_fn *, void *arg);
/* Set the prompt hook of a queued command (see modem_prompt_fn): 0, or
 * -1 when it is no longer queued. */
int atchan_set_prompt_hook(struct atchan *, uint64_t id, modem_prompt_fn *,
    void *arg);
/* The same, 0 or -1. */
int atchan_send(struct atchan *, const char *cmd, const char *pdu,
    int timeout_ms, unsigned flags, modem_done_fn *, void *arg);
/* Cancel a command: its callback is never called.  1: it was still
 * queued and is dropped unsent; 0: it is in flight (the engine still
 * waits for its final result, or its timeout, before the next command)
 * or finished; -1: no such command (its callback already ran). */
int atchan_cancel(struct atchan *, uint64_t id);
/* Drop a command only if it was not written yet: 1 dropped (callback
 * never called), 0 not (in flight, finished or unknown). */
int atchan_unqueue(struct atchan *, uint64_t id);
/* Complete every queued command (and the one in flight) with `why`
 * (from the loop, not from inside this call) and reset the lexer. */
void atchan_flush(struct atchan *, enum modem_final why);
/* The command in flight times out now, as if its timer fired (tests
 * that drive time instead of waiting for it). */
void atchan_expire(struct atchan *);
/* Echo state as set by ATE0 (the engine watches ATE0/ATE1 itself). */
int atchan_echo_off(const struct atchan *);
size_t atchan_queued(const struct atchan *);
int atchan_busy(const struct atchan *);
/* Counters for status and the benchmark. */
unsigned long atchan_sent_count(const struct atchan *);
unsigned long atchan_timeout_count(const struct atchan *);

/* The response prefix a command is answered with ("AT+CREG?" ->
 * "+CREG:"), or "" for basic commands.  Exposed for tests. */
void atchan_response_prefix(const char *cmd, char *out, size_t outlen);

#endif
