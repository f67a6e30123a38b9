/*
 * fake_modem.h: the fake modem and test store of fake_modem.c, shared by
 * the SMS module's unit tests.
 */
#ifndef CG_TEST_FAKE_MODEM_H
#define CG_TEST_FAKE_MODEM_H

#include "modem.h"

#define F_MAX	64

/* Every command submitted, in order; a handle is its index + 1. */
struct fcmd {
	char		 cmd[MODEM_CMD_MAX + 1];
	char		 pdu[MODEM_PDU_MAX + 1];
	const char	*owner;
	modem_done_fn	*done;
	void		*arg;
	modem_prompt_fn	*prompt;
	void		*prompt_arg;
	enum modem_stage stage;		/* reported by answer(); set freely */
	int		 cancelled, answered;
	long long	 stored_in;	/* AT+CMGD: incoming rows committed */
	long long	 commits;	/* f_commits when it was submitted */
};
extern struct fcmd fq[F_MAX];
extern int fn;
extern enum modem_state f_state;	/* not READY: submits refused */
extern int f_unsub_all;
extern long long f_commits;	/* transactions the store committed */
extern struct event_base *base;

/* URC and ready subscriptions still held. */
int f_subscriptions(void);
long long count(const char *sql);
void run(void);
int last(const char *prefix);
int nsent(const char *prefix);
void answer(int i, enum modem_final f, long code, const char *final_line,
    ...);
int prompt(int i);
void urc(const char *line, const char *pdu);
void ready(void);
void deliver_pdu(const char *from, const char *text, char *hex,
    size_t hexlen, unsigned *tpdu_len);
void list_one(int slot, const char *from, const char *text);

/* The sms_in_subscribe() subscriber: takes the message when arg != NULL. */
extern char in_number[64], in_text[256];
extern int in_calls;
int on_sms_in(const char *number, const uint8_t *data, size_t len,
    void *arg);

void out_row(long long id, char *status, size_t slen, int *attempts,
    char *mr, size_t mrlen);
void start(void);
int setup(void **state);
int teardown(void **state);

#endif
