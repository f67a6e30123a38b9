/*
 * cg_queue.h: the two intrusive lists the code uses (a doubly linked
 * tail queue and a list), as the BSD <sys/queue.h> macros of the same
 * shape but prefixed CG_, so no system header is needed (musl has none)
 * and none can clash with them.  An element embeds CG_TAILQ_ENTRY or
 * CG_LIST_ENTRY; removal is O(1) given the element.
 */
#ifndef CG_QUEUE_H
#define CG_QUEUE_H

#include <stddef.h>

/* Tail queue: first element, and the address of the last's next field. */
#define CG_TAILQ_HEAD(name, type)					\
struct name {								\
	struct type	*tqh_first;					\
	struct type	**tqh_last;					\
}
#define CG_TAILQ_HEAD_INITIALIZER(head)	{ NULL, &(head).tqh_first }
#define CG_TAILQ_ENTRY(type)						\
struct {								\
	struct type	*tqe_next;					\
	struct type	**tqe_prev;	/* the previous next field */	\
}
#define CG_TAILQ_FIRST(head)		((head)->tqh_first)
#define CG_TAILQ_NEXT(elm, field)	((elm)->field.tqe_next)
#define CG_TAILQ_EMPTY(head)		((head)->tqh_first == NULL)
#define CG_TAILQ_FOREACH(var, head, field)				\
	for ((var) = CG_TAILQ_FIRST(head); (var) != NULL;		\
	    (var) = CG_TAILQ_NEXT(var, field))
#define CG_TAILQ_INIT(head) do {					\
	(head)->tqh_first = NULL;					\
	(head)->tqh_last = &(head)->tqh_first;				\
} while (0)
#define CG_TAILQ_INSERT_HEAD(head, elm, field) do {			\
	if (((elm)->field.tqe_next = (head)->tqh_first) != NULL)	\
		(head)->tqh_first->field.tqe_prev =			\
		    &(elm)->field.tqe_next;				\
	else								\
		(head)->tqh_last = &(elm)->field.tqe_next;		\
	(head)->tqh_first = (elm);					\
	(elm)->field.tqe_prev = &(head)->tqh_first;			\
} while (0)
#define CG_TAILQ_INSERT_TAIL(head, elm, field) do {			\
	(elm)->field.tqe_next = NULL;					\
	(elm)->field.tqe_prev = (head)->tqh_last;			\
	*(head)->tqh_last = (elm);					\
	(head)->tqh_last = &(elm)->field.tqe_next;			\
} while (0)
#define CG_TAILQ_INSERT_AFTER(head, listelm, elm, field) do {		\
	if (((elm)->field.tqe_next = (listelm)->field.tqe_next) != NULL)\
		(elm)->field.tqe_next->field.tqe_prev =			\
		    &(elm)->field.tqe_next;				\
	else								\
		(head)->tqh_last = &(elm)->field.tqe_next;		\
	(listelm)->field.tqe_next = (elm);				\
	(elm)->field.tqe_prev = &(listelm)->field.tqe_next;		\
} while (0)
#define CG_TAILQ_REMOVE(head, elm, field) do {				\
	if ((elm)->field.tqe_next != NULL)				\
		(elm)->field.tqe_next->field.tqe_prev =			\
		    (elm)->field.tqe_prev;				\
	else								\
		(head)->tqh_last = (elm)->field.tqe_prev;		\
	*(elm)->field.tqe_prev = (elm)->field.tqe_next;			\
} while (0)

/* List: no tail; insertion at the head. */
#define CG_LIST_HEAD(name, type)					\
struct name {								\
	struct type	*lh_first;					\
}
#define CG_LIST_HEAD_INITIALIZER(head)	{ NULL }
#define CG_LIST_ENTRY(type)						\
struct {								\
	struct type	*le_next;					\
	struct type	**le_prev;	/* the previous next field */	\
}
#define CG_LIST_FIRST(head)		((head)->lh_first)
#define CG_LIST_EMPTY(head)		((head)->lh_first == NULL)
#define CG_LIST_INSERT_HEAD(head, elm, field) do {			\
	if (((elm)->field.le_next = (head)->lh_first) != NULL)		\
		(head)->lh_first->field.le_prev = &(elm)->field.le_next;\
	(head)->lh_first = (elm);					\
	(elm)->field.le_prev = &(head)->lh_first;			\
} while (0)
#define CG_LIST_REMOVE(elm, field) do {					\
	if ((elm)->field.le_next != NULL)				\
		(elm)->field.le_next->field.le_prev =			\
		    (elm)->field.le_prev;				\
	*(elm)->field.le_prev = (elm)->field.le_next;			\
} while (0)

#endif
