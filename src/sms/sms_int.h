/*
 * sms_int.h: what the SMS module's files share: the store functions
 * (sms_store.c), the receive side (sms_rx.c reads and deletes,
 * sms_rx_save.c saves, sms_rx_run.c processes) and the send side
 * (sms_tx.c).
 */
#ifndef CG_SMS_INT_H
#define CG_SMS_INT_H

#include <stddef.h>

struct event_base;
struct json_object;

#define SMS_GAP_MARKER	"[...]"
/* The longest text kept in the message log: what the
 * network delivered up to this many bytes of UTF-8, then SMS_CUT_MARKER.
 * It keeps `cellgatectl sms show` within one control frame (64 KiB). */
#define SMS_TEXT_MAX	(32 * 1024)
#define SMS_CUT_MARKER	"[cut]"

/* The module's settings, resolved once by sms_init(). */
struct sms_set {
	const struct setting_def *retries, *retry_delay, *status_report,
				 *concat_timeout, *daily_limit,
				 *send_via_storage, *on_receive,
				 *on_send, *hook_timeout, *keep_messages,
				 *keep_days;
};
extern struct sms_set sms_set;

/* Writes `text` with any password in it replaced (the command
 * language's redaction, handed in by sms_rx_save.c and sms_rx_run.c). */
struct buf;
typedef void sms_redact_fn(const char *text, size_t len, struct buf *out);

/* sms_store.c */
/* `text` is what the message says, `shown` what the log shows (its
 * redacted form; NULL: text itself).  When they differ, text is kept
 * apart only until the message is processed. */
int sms_store_in(const char *fp, const char *number, const char *scts,
    const char *text, const char *shown, const char *data_hex,
    const char *coding, const char *kind, const char *status, long long *id);
int sms_store_part(const char *fp, const char *number, int ref, int parts,
    int part, const char *text, const char *scts, sms_redact_fn *,
    long long *id);
int sms_store_expire_parts(long long before, sms_redact_fn *, int *n);
long long sms_store_oldest_part(void);
/* The oldest message after id `after` not processed (listed_only: from
 * a number in the phonebook), with its text as received. */
int sms_store_next_new(long long after, int listed_only, long long *id,
    char *number, size_t numlen, char **text);
/* Also forgets the text as received; `text` (not NULL) replaces the
 * shown text. */
int sms_store_set_status(long long id, const char *status,
    const char *text);
long long sms_store_out_add(const char *number, const char *text,
    const char *coding, int parts, const char *origin);
struct sms_out {
	long long	id;
	char		number[32];
	char		*text;
	char		coding[8];
	int		attempts;
	int		parts;
	int		parts_sent;
	char		mr[64];
	/* how far the current part got: "none", "prompt" (its AT+CMGS
	 * queued, the PDU not written), "sent-pdu" (its PDU was
	 * written after AT+CMGS: it may be out), "write-pdu" (written
	 * after AT+CMGW, slot not known), "stored" (in the modem's
	 * storage at store_index, sent or not) */
	char		progress[12];
	int		store_index;	/* -1: none */
};
int sms_store_out_next(long long now, struct sms_out *);
long long sms_store_out_next_try(void);
int sms_store_out_due(long long now);
/* Commit o's attempts, parts_sent, mr, progress and store_index with
 * status (NULL: unchanged), next_try and error. */
int sms_store_out_update(const struct sms_out *o, const char *status,
    long long next_try, const char *error);
/* The same as a replayable commit (see sms_store.c): also the record at
 * the "> " prompt, just before the PDU is written, which must not wait
 * for the disk. */
int sms_store_out_mark(const struct sms_out *o, const char *status,
    long long next_try, const char *error);
/* At start: the number of messages left waiting for the modem's answer
 * to a PDU written before the stop, or -1; then one of these two. */
int sms_store_out_recover(void);
int sms_store_out_answered(int mr);
int sms_store_out_unanswered(void);
long long sms_store_out_count_since(long long since);
int sms_store_delivery(int mr, const char *number, const char *delivery);
int sms_store_count(const char *direction, const char *status);
struct json_object *sms_store_list(int limit);
/* One page of the list: the newest below id `before` (0: of all), at
 * most limit and SMS_PAGE_BYTES of JSON, so that it fits a control frame
 * (cellgatectl asks page after page). */
#define SMS_PAGE_BYTES	(48 * 1024)
struct json_object *sms_store_page(int limit, long long before);
struct json_object *sms_store_show(long long id);

/* sms_rx.c: reads and deletes */
void sms_rx_ready(void *);
void sms_rx_start(struct event_base *);
void sms_rx_stop(void);
/* Read again the message left on the modem for its password check's
 * turn (only when its sender is in the phonebook: listed_only): 1 read
 * queued, 0 none. */
int sms_rx_held_reread(int listed_only);
/* Is a message left on the modem for its turn, not being read again? */
int sms_rx_held_waiting(void);
/* Is the next turn kept for a phonebook number's command left on the
 * modem (waiting or being read again)? */
int sms_rx_held_reserves(void);

/* sms_rx_save.c: one PDU into the log (see there for the results) */
#define SMS_RX_HELD	3	/* left on the modem for its check's turn */
#define SMS_RX_HOLD_AGAIN 2	/* may_hold: it was left there before */
int sms_rx_save(const char *mem, int index, const char *hex, int may_hold,
    int *listed);

/* sms_rx_run.c: processing what was saved */
void sms_rx_run_start(struct event_base *);
void sms_rx_run_stop(void);
void sms_rx_process_new(void);
/* Inside the transaction that saved message id: run it there, in a
 * savepoint, when it is the next to run and processing is not paused.
 * 1 run, 0 not now (sms_rx_process_new() runs it later), 2 its password
 * check has no turn yet (nothing ran), -1 its run failed (rolled back,
 * processing paused). */
int sms_rx_run_saved(long long id);
/* Something waits for the next password check's turn: the timer that
 * handles the waiting messages then is set. */
void sms_rx_turn_wanted(void);
/* A message run with its saving could not be committed: it is saved
 * alone and processing pauses (a timer retries). */
void sms_rx_run_later(const char *why);
void sms_rx_schedule_expiry(void);

/* sms_retain.c: the message log's retention */
struct setting_def;
int sms_retain_step(long long now);
void sms_retain_apply(const struct setting_def *);
void sms_retain_kick(void);
void sms_retain_start(struct event_base *);
void sms_retain_stop(void);

/* sms_tx.c */
struct pdu_encoded;
int sms_tx_encode(const char *number, const char *text, const char *coding,
    long long id, struct pdu_encoded *out, const char **reason);
void sms_tx_start(struct event_base *, int waiting);
void sms_tx_stop(void);
void sms_tx_kick(void);
void sms_tx_claim(void);
int sms_tx_busy_now(void);
/* Is the stored PDU `got` the one written, `want` (the message reference
 * aside, which the modem may set when it sends)? */
int sms_tx_same_pdu(const char *got, const char *want);

/* sms_hook.c: the programs run for messages (sms.on_receive,
 * sms.on_send).  sms_hook_add() queues the event (inside the transaction
 * that gives the message that status) when its program is set. */
int sms_hook_check_setting(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen);
void sms_hook_add(long long sms_id, const char *event);
struct json_object *sms_hook_json(long long sms_id);
/* A message's waiting or failed hooks run as soon as their turn comes:
 * how many, or -1. */
int sms_hook_retry(long long sms_id);
void sms_hook_start(struct event_base *);
void sms_hook_stop(void);

/* sms_tx_copies.c: stored copies of finished parts, deleted until gone */
int sms_tx_copies_add(int slot, const char *hex);
void sms_tx_copies_delete(int slot);
void sms_tx_copies_check(int slot);
void sms_tx_copies_ready(void *);
void sms_tx_copies_start(struct event_base *);
void sms_tx_copies_stop(void);

#endif
