/*
 * sms_slots.h: the persistent ledger of what was committed from which
 * storage slot (sms_slots.c), which tells a copy of a message already
 * saved from a genuine repeat of it.
 */
#ifndef CG_SMS_SLOTS_H
#define CG_SMS_SLOTS_H

#include <stddef.h>

/* The message log's fingerprints are at most this long (with a repeat's
 * "#n" suffix). */
#define SMS_FP_MAX	2048

/* The key a fingerprint is looked up by, as an SQL expression of a
 * message's service-centre time stamp (scts, an ISO 8601 string or
 * NULL): its second, 0 without one.  The message log's index sms_fp
 * (src/core/store.c, migration 11 -> 12) is on this expression of its
 * column scts, and a lookup gives it the same of the time stamp it
 * holds, so that the index is used. */
#define SMS_FP_KEY(scts) \
	"coalesce(CAST(strftime('%s', " scts ") AS INTEGER), 0)"

/* Is the PDU with fingerprint fp and time stamp scts (NULL: none), read
 * from slot (mem, slot) (slot -1: delivered directly by +CMT/+CDS; mem
 * NULL or "": a storage whose name is not known), a copy of one already
 * committed?  1 a copy (nothing to store; a pairing is recorded), 0 a
 * new message: `stored` gets the fingerprint to store it under (fp, or
 * fp#2, fp#3, ... when fp is taken by an earlier message), -1 error. */
int sms_slots_classify(const char *mem, int slot, const char *fp,
    const char *scts, char *stored, size_t storedlen);
/* Record that the new message fp was committed from (mem, slot) as
 * `stored` (in the transaction that committed it).  0 or -1. */
int sms_slots_record(const char *mem, int slot, const char *fp,
    const char *stored);
/* The modem confirmed the delete of (mem, slot).  0 or -1. */
int sms_slots_deleted(const char *mem, int slot);
/* A complete listing of mem showed only the slots in `listed`: every
 * other slot recorded there is empty, so its delete is confirmed. */
int sms_slots_reconcile(const char *mem, const int *listed, size_t n);

#endif
