/* bind.c - turn a parsed cart into the rule set's input vector.
 *
 * The rule set lists every value its programs read (built-ins, category
 * sums, and each program's declared account keys with unit and default).
 * Binding fills that vector once per cart and validates the cart against
 * the declarations: a value of the wrong type or a missing required key
 * is a located cart error; a key no rule reads is a warning. */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "bind_fast.h"
#include "vm.h"

#define PT_BIND_ACCOUNTS 64   /* account lines tracked per cart for unread-key warnings */

/* A word as the VM sees it: its index in the string table, or, for a
 * word no rule mentions, a negative value unique to the input slot (so it
 * equals no literal; -1 means absent). */
static pt_rat word_value(const pt_ruleset *rs, const char *w, size_t slot)
{
	if (!w)
		return pt_rat_int(-1);
	int k = pt_ruleset_find_str(rs, w);
	return pt_rat_int(k >= 0 ? k : -2 - (int64_t)slot);
}

/* Convert an account value to the declared unit; false if it cannot. */
static bool convert(const pt_ruleset *rs, const pt_ckv *kv, pt_unit type, size_t slot, pt_rat *out)
{
	switch (type) {
	case PT_U_YEN:
	case PT_U_POINTS:
	case PT_U_NUM:
		if (kv->kind != PT_CV_INT)
			return false;
		*out = pt_rat_int(kv->i);
		return true;
	case PT_U_BOOL:
		if (kv->kind != PT_CV_BOOL)
			return false;
		*out = pt_rat_int(kv->i);
		return true;
	case PT_U_DATE:
		if (kv->kind != PT_CV_DATE)
			return false;
		*out = pt_rat_int(kv->i);
		return true;
	case PT_U_STR:
		if (kv->kind != PT_CV_WORD && kv->kind != PT_CV_STR)
			return false;
		*out = word_value(rs, kv->s, slot);
		return true;
	default:
		return false;
	}
}

/* How a unit is written in a cart, for "expected ..." messages. */
static const char *cart_spelling(pt_unit u)
{
	switch (u) {
	case PT_U_YEN: return "a whole number of yen";
	case PT_U_POINTS: return "a whole number of points";
	case PT_U_NUM: return "a whole number";
	case PT_U_BOOL: return "yes or no";
	case PT_U_DATE: return "a date YYYY-MM-DD";
	case PT_U_STR: return "a word";
	default: return "a value";
	}
}

/* Edit distance between short strings, capped at 9 (for "did you mean"). */
static int edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 31 || lb > 31)
		return 9;
	int row[32];
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int prev = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int cur = row[j];
			int sub = prev + (a[i - 1] != b[j - 1]);
			int best = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
			row[j] = sub < best ? sub : best;
			prev = cur;
		}
	}
	return row[lb] > 9 ? 9 : row[lb];
}

/* Warn about an account key program p never reads, suggesting a near one. */
static void warn_unread(const pt_ruleset *rs, int p, const pt_account *a, const pt_ckv *kv,
			const pt_src *src, pt_diags *d)
{
	const char *near = NULL;
	int best = 3;
	for (size_t n = 0; n < rs->ninputs; n++) {
		const pt_input_def *in = &rs->inputs[n];
		if (in->kind != PT_IN_ACCOUNT || in->prog != p)
			continue;
		int dist = edit_distance(kv->key, in->name);
		if (dist < best) {
			best = dist;
			near = in->name;
		}
	}
	int klen = (int)strlen(kv->key);
	int col = kv->col - klen - 1 > 0 ? kv->col - klen - 1 : kv->col;
	if (near)
		pt_diag_at(d, PT_WARNING, src, kv->line, col, klen,
			   "program %s does not read account key '%s'; did you mean '%s'?", a->program, kv->key, near);
	else
		pt_diag_at(d, PT_WARNING, src, kv->line, col, klen,
			   "program %s does not read account key '%s'; it is ignored", a->program, kv->key);
}

/* Per-cart facts gathered in one pass, so each input is a lookup. */
typedef struct bind_pass {
	const pt_account *acct[PT_MAX_PROGRAMS];   /* account line of each program */
	const pt_account *acct_base;               /* the cart's account array */
	uint64_t used[PT_BIND_ACCOUNTS];           /* keys read, per account line (first 64) */
	bool overflow;                             /* an item sum left 64 bits */
} bind_pass;

/* Sum the items once: the total into its slot and every category sum
 * the rules read into its slot (a cart's categories are compared with
 * the rule set's category names, not once per input and item). */
static void sum_items(const pt_ruleset *rs, const pt_cart *c, pt_rat *inputs, bool *overflow)
{
	int64_t total = 0, t;
	for (size_t j = 0; j < rs->ncatsums; j++)
		inputs[rs->catsum_slots[j]] = pt_rat_int(0);
	for (size_t k = 0; k < c->n_items && !*overflow; k++) {
		const pt_item *it = &c->items[k];
		if (__builtin_mul_overflow(it->price, it->qty, &t) || __builtin_add_overflow(total, t, &total)) {
			*overflow = true;
			break;
		}
		for (size_t j = 0; j < rs->ncatsums; j++) {
			pt_rat *sum = &inputs[rs->catsum_slots[j]];
			const char *name = rs->inputs[rs->catsum_slots[j]].name;
			if (name[0] == it->category[0] && strcmp(name, it->category) == 0) {
				if (__builtin_add_overflow(sum->n, t, &sum->n))
					*overflow = true;
				break;
			}
		}
	}
	if (*overflow) {   /* reported by the caller; keep the vector well formed */
		total = 0;
		for (size_t j = 0; j < rs->ncatsums; j++)
			inputs[rs->catsum_slots[j]] = pt_rat_int(0);
	}
	if (rs->total_slot >= 0)
		inputs[rs->total_slot] = pt_rat_int(total);
}

/* Match account lines to programs; warn about unknown programs. */
static void match_accounts(const pt_ruleset *rs, const pt_cart *c, bind_pass *bp, const pt_src *src,
			   pt_diags *d)
{
	for (size_t i = 0; i < c->n_accounts; i++) {
		const pt_account *a = &c->accounts[i];
		int p = pt_ruleset_find_prog(rs, a->program);
		if (p < 0)
			pt_diag_at(d, PT_WARNING, src, a->line, a->prog_col, a->prog_len,
				   "no program '%s' in the rules; this account line is ignored", a->program);
		else if (!bp->acct[p])
			bp->acct[p] = a;
	}
}

/* One account input: the cart's value converted, the default, or an error. */
static pt_rat account_value(const pt_ruleset *rs, size_t slot, const pt_account *acct, bind_pass *bp,
			    const pt_src *src, pt_diags *d)
{
	const pt_input_def *in = &rs->inputs[slot];
	pt_rat val = pt_rat_int(0);
	for (size_t k = 0; acct && k < acct->n_keys; k++) {
		const pt_ckv *kv = &acct->keys[k];
		if (strcmp(kv->key, in->name) != 0)
			continue;
		size_t ai = (size_t)(acct - bp->acct_base);
		if (k < 64 && ai < PT_BIND_ACCOUNTS)
			bp->used[ai] |= (uint64_t)1 << k;
		if (!convert(rs, kv, in->type, slot, &val))
			pt_diag_at(d, PT_ERROR, src, kv->line, kv->col, kv->len,
				   "account key '%s' of program %s must be %s (declared in %s:%d)", in->name,
				   rs->progs[in->prog].id, cart_spelling(in->type), rs->files[in->file], in->line);
		return val;
	}
	if (in->has_default)
		return in->dflt;
	if (acct)
		pt_diag_at(d, PT_ERROR, src, acct->line, acct->col, 7,
			   "account program=%s is missing required key '%s' (%s)", acct->program, in->name,
			   cart_spelling(in->type));
	return val;
}

/* A value of the cart's `use` records: a program's points (its first
 * record), the gift-card yen, or how many programs spend points. */
static int64_t use_value(const pt_ruleset *rs, const pt_cart *c, const pt_input_def *in)
{
	int64_t n = 0;
	for (size_t k = 0; k < c->n_uses; k++) {
		const pt_use *u = &c->uses[k];
		bool gift = strcmp(u->program, "giftcard") == 0;
		if (in->kind == PT_IN_USE_POINTS && !gift && strcmp(u->program, rs->progs[in->prog].id) == 0)
			return u->points;
		if (in->kind == PT_IN_USE_GIFTCARD && gift)
			return u->yen;
		if (in->kind == PT_IN_USE_PROGRAMS && !gift && u->points > 0) {
			bool first = true;   /* count each program once */
			for (size_t j = 0; j < k && first; j++)
				first = c->uses[j].points <= 0 || strcmp(c->uses[j].program, u->program) != 0;
			n += first;
		}
	}
	return n;
}

/* ---- fast binding -------------------------------------------------------
 * A plan built once per rule set (pt_bind_plan_build) lists, per program,
 * the slots binding fills from its account line, and the built-in slots;
 * program ids are hashed.  pt_bind_fast fills the vector in one pass over
 * items, account lines and keys, and gives up (returns false, having
 * reported nothing) whenever the cart calls for a diagnostic: an unknown
 * program, a key no rule reads, a value of the wrong type, a missing
 * required key, an overflowing total.  pt_bind_reference then does it all
 * again and reports. */

/* One slot binding fills from a program's account line. */
typedef struct pt_bind_in {
	uint32_t slot;
	pt_input_kind kind;
	pt_unit type;
	bool whole;               /* an ACCOUNT of yen, points or number: whole numbers */
	bool required;            /* an ACCOUNT without a default */
	const char *name;         /* ACCOUNT key */
	pt_rat unlinked;          /* its value when the program is not linked */
} pt_bind_in;

typedef struct pt_bind_plan {
	pt_bind_quick fast;       /* first: what bind_fast.h reads (shape, sums, sink, totals) */
	uint32_t *prog_index;     /* open addressing over program ids: index + 1, 0 empty */
	uint32_t prog_mask;
	uint32_t *builtins;       /* built-in slots other than the total */
	size_t nbuiltins;
	uint32_t *pstart;         /* nprogs + 1 offsets into pin */
	struct pt_bind_in *pin;   /* each program's LINKED, BALANCE and ACCOUNT slots, in slot order */
	bool need_ymd;            /* a DAY or MONTH input exists */
	uint32_t *uses;           /* the slots of the cart's `use` records (USE_*) */
	size_t nuses;
	uint64_t cat_first[256];  /* category sums (their index in catsum_slots) by cat_key of the name */
	pt_rat *tmpl;             /* prepared carts: the inputs of a cart with nothing, or NULL */
	int64_t *tmpl_n;          /* and the numerators of those read in place, nkept, in pos order */
	uint32_t ndense;          /* the dense form covers inputs [0, ndense) (prep_template) */
	uint8_t *in_place;        /* per input below ndense: read where a dense preparation keeps it */
	uint16_t *pos;            /* per input read in place: where among the kept values */
	uint32_t *kept;           /* and the other way: the input of each kept value, nkept, in pos order */
	uint32_t nkept;           /* the inputs read in place: the values a dense preparation keeps */
	bool sums_past_dense;     /* a sum or total slot at or past ndense (the compact part's template) */
} pt_bind_plan;
_Static_assert(offsetof(pt_bind_plan, fast) == 0, "bind_fast.h reads the plan as its first member");

/* A byte from the first two of a name, to find category sums quickly. */
static inline unsigned cat_key(const char *s)
{
	return s[0] ? (unsigned char)(s[0] + 7 * s[1]) : 0;
}

/* Hash of a program id. */
static inline uint32_t id_hash(const char *s)
{
	uint32_t h = 2166136261u;   /* FNV-1a, 32 bits, inline: ids are short */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static bool prep_template(pt_ruleset *rs, pt_bind_plan *bp);

/* The shape (pt_bind_prep_shape) of a preparation bp binds the common
 * way: dense, covering every input, the sums side by side; where there
 * is no such preparation, a shape none has (an nkept above
 * PT_PREP_DENSE_MAX). */
static uint64_t plan_shape(const pt_ruleset *rs, const pt_bind_plan *bp)
{
	pt_prep p = { .nkept = UINT32_MAX, .ninputs = UINT32_MAX };
	if (bp->tmpl && bp->nkept && bp->fast.cat_lo != UINT32_MAX && bp->ndense >= rs->ninputs)
		p = (pt_prep){ .nkept = bp->nkept, .ninputs = (uint32_t)rs->ninputs };
	return pt_bind_prep_shape(&p);
}

/* Build rs->bind_plan; leaves it NULL (reference binding only) when the
 * rule set has inputs the plan does not cover or memory runs out. */
void pt_bind_plan_build(pt_ruleset *rs)
{
	rs->bind_plan = NULL;
	pt_bind_plan *bp = pt_arena_alloc(&rs->arena, sizeof *bp);
	if (!bp)
		return;
	memset(bp, 0, sizeof *bp);
	uint32_t size = 16;
	while (size < 2 * rs->nprogs + 2)
		size *= 2;
	bp->prog_mask = size - 1;
	bp->prog_index = pt_arena_alloc(&rs->arena, size * sizeof *bp->prog_index);
	bp->builtins = pt_arena_alloc(&rs->arena, (rs->ninputs + 1) * sizeof *bp->builtins);
	bp->pstart = pt_arena_alloc(&rs->arena, (rs->nprogs + 1) * sizeof *bp->pstart);
	bp->pin = pt_arena_alloc(&rs->arena, (rs->ninputs + 1) * sizeof *bp->pin);
	bp->uses = pt_arena_alloc(&rs->arena, (rs->ninputs + 1) * sizeof *bp->uses);
	if (!bp->prog_index || !bp->builtins || !bp->pstart || !bp->pin || !bp->uses || rs->ncatsums > 64)
		return;
	for (size_t j = 0; j < rs->ncatsums; j++)
		bp->cat_first[cat_key(rs->inputs[rs->catsum_slots[j]].name)] |= (uint64_t)1 << j;
	memset(bp->prog_index, 0, size * sizeof *bp->prog_index);
	for (size_t i = 0; i < rs->nprogs; i++) {
		uint32_t h = id_hash(rs->progs[i].id) & bp->prog_mask;
		while (bp->prog_index[h])
			h = (h + 1) & bp->prog_mask;
		bp->prog_index[h] = (uint32_t)i + 1;
	}
	for (size_t i = 0; i < rs->ninputs; i++) {
		const pt_input_def *in = &rs->inputs[i];
		switch (in->kind) {
		case PT_IN_BUILTIN:
			if (in->builtin < 0 || in->builtin >= PT_B__COUNT)
				return;
			if ((int)i != rs->total_slot)
				bp->builtins[bp->nbuiltins++] = (uint32_t)i;
			bp->need_ymd = bp->need_ymd || in->builtin == PT_B_DAY || in->builtin == PT_B_MONTH;
			break;
		case PT_IN_CATSUM:
			break;
		case PT_IN_LINKED:
		case PT_IN_BALANCE:
		case PT_IN_ACCOUNT:
			if (in->prog < 0 || (size_t)in->prog >= rs->nprogs)
				return;
			break;
		case PT_IN_USE_POINTS:
			if (in->prog < 0 || (size_t)in->prog >= rs->nprogs)
				return;
			bp->uses[bp->nuses++] = (uint32_t)i;
			break;
		case PT_IN_USE_GIFTCARD:
		case PT_IN_USE_PROGRAMS:
		case PT_IN_USE_POINTS_YEN:   /* 0 here: the evaluator sets it after the redeem sections */
			bp->uses[bp->nuses++] = (uint32_t)i;
			break;
		default:   /* a kind this plan does not know: bind the reference way */
			return;
		}
	}
	/* Each program's slots, in slot order: counted, then placed (one pass
	 * each over the inputs; a loop per program was quadratic in programs). */
	memset(bp->pstart, 0, (rs->nprogs + 1) * sizeof *bp->pstart);
	for (size_t i = 0; i < rs->ninputs; i++) {
		const pt_input_def *in = &rs->inputs[i];
		if (in->kind == PT_IN_LINKED || in->kind == PT_IN_BALANCE || in->kind == PT_IN_ACCOUNT)
			bp->pstart[in->prog + 1]++;
	}
	for (size_t p = 0; p < rs->nprogs; p++)
		bp->pstart[p + 1] += bp->pstart[p];
	uint32_t *next = malloc((rs->nprogs + 1) * sizeof *next);   /* each program's next place */
	if (!next)
		return;
	memcpy(next, bp->pstart, (rs->nprogs + 1) * sizeof *next);
	for (size_t i = 0; i < rs->ninputs; i++) {
		const pt_input_def *in = &rs->inputs[i];
		if (in->kind == PT_IN_LINKED || in->kind == PT_IN_BALANCE || in->kind == PT_IN_ACCOUNT)
			bp->pin[next[in->prog]++] = (pt_bind_in){
				.slot = (uint32_t)i, .kind = in->kind, .type = in->type, .name = in->name,
				.whole = in->kind == PT_IN_ACCOUNT && (in->type == PT_U_YEN || in->type == PT_U_POINTS ||
								       in->type == PT_U_NUM),
				.required = in->kind == PT_IN_ACCOUNT && !in->has_default,
				.unlinked = in->kind == PT_IN_ACCOUNT && in->has_default ? in->dflt : pt_rat_int(0),
			};
	}
	free(next);
	if (!prep_template(rs, bp))
		bp->tmpl = NULL;   /* carts are then not prepared */
	bp->fast.shape = plan_shape(rs, bp);
	rs->bind_plan = bp;
}

/* The program with this id, or -1.  Among a few programs, their ids'
 * first bytes tell most apart without hashing the whole id (binding
 * looks up every account line's program). */
static int plan_find_prog(const pt_ruleset *rs, const pt_bind_plan *bp, const char *id)
{
	if (rs->nprogs <= 8) {
		for (size_t p = 0; p < rs->nprogs; p++)
			if (rs->progs[p].id[0] == id[0] && strcmp(rs->progs[p].id, id) == 0)
				return (int)p;
		return -1;
	}
	for (uint32_t h = id_hash(id) & bp->prog_mask; bp->prog_index[h]; h = (h + 1) & bp->prog_mask) {
		uint32_t p = bp->prog_index[h] - 1;
		if (strcmp(rs->progs[p].id, id) == 0)
			return (int)p;
	}
	return -1;
}

/* The slots of program p read from account line a (NULL: not linked);
 * false when the line calls for a diagnostic. */
static bool bind_account(const pt_ruleset *rs, const pt_bind_in *e, const pt_bind_in *end,
			 const pt_account *a, pt_rat *inputs)
{
	if (!a) {
		for (; e < end; e++)
			inputs[e->slot] = e->unlinked;
		return true;
	}
	uint64_t used = 0;
	size_t cursor = 0, nk = a->n_keys;
	if (nk > 64)
		return false;
	for (; e < end; e++) {
		if (e->kind == PT_IN_LINKED) {
			inputs[e->slot] = pt_rat_int(1);
			continue;
		}
		if (e->kind == PT_IN_BALANCE) {
			inputs[e->slot] = pt_rat_int(a->balance);
			continue;
		}
		size_t k = nk;
		for (size_t step = 0; step < nk; step++) {   /* keys usually come in declaration order */
			size_t j = cursor + step < nk ? cursor + step : cursor + step - nk;
			const char *key = a->keys[j].key;
			if (key[0] == e->name[0] && strcmp(key, e->name) == 0) {
				k = j;
				break;
			}
		}
		if (k == nk) {
			if (e->required)
				return false;   /* missing required key */
			inputs[e->slot] = e->unlinked;   /* the default */
			continue;
		}
		if ((used >> k) & 1)
			return false;   /* two inputs of one key: the reference decides */
		used |= (uint64_t)1 << k;
		cursor = k + 1 < nk ? k + 1 : 0;
		const pt_ckv *kv = &a->keys[k];
		if ((kv->kind == PT_CV_INT && e->whole) || (kv->kind == PT_CV_BOOL && e->type == PT_U_BOOL))
			inputs[e->slot] = pt_rat_int(kv->i);   /* the common cases of convert, inline */
		else if (!convert(rs, kv, e->type, e->slot, &inputs[e->slot]))
			return false;
	}
	return used == (nk == 64 ? UINT64_MAX : ((uint64_t)1 << nk) - 1);   /* else a key no rule reads */
}

/* pt_bind_fast, and when items is not NULL each item's amount and
 * category sum slot as a prepared cart keeps them (false for a quantity
 * past 32 bits, which no reader or builder makes); *total_out, when not
 * NULL, gets the cart's total. */
static bool bind_fast_items(const pt_ruleset *rs, const pt_cart *c, int32_t date, pt_rat *inputs,
			    pt_prep_item *items, int64_t *total_out)
{
	const pt_bind_plan *bp = rs->bind_plan;
	if (!bp)
		return false;
	const pt_account *acct[PT_MAX_PROGRAMS];
	memset(acct, 0, rs->nprogs * sizeof acct[0]);
	for (size_t i = 0; i < c->n_accounts; i++) {
		const pt_account *a = &c->accounts[i];
		int p = plan_find_prog(rs, bp, a->program);
		if (p < 0)
			return false;   /* warned about */
		if (!acct[p])
			acct[p] = a;
	}
	int64_t total = 0, t;
	for (size_t j = 0; j < rs->ncatsums; j++)
		inputs[rs->catsum_slots[j]] = pt_rat_int(0);
	for (size_t k = 0; k < c->n_items; k++) {   /* as sum_items, categories found by cat_key */
		const pt_item *it = &c->items[k];
		if (__builtin_mul_overflow(it->price, it->qty, &t) || __builtin_add_overflow(total, t, &total))
			return false;
		uint32_t found = PT_PREP_NO_SUM;
		for (uint64_t m = bp->cat_first[cat_key(it->category)]; m; m &= m - 1) {
			uint32_t slot = rs->catsum_slots[__builtin_ctzll(m)];
			if (strcmp(rs->inputs[slot].name, it->category) == 0) {
				if (__builtin_add_overflow(inputs[slot].n, t, &inputs[slot].n))
					return false;
				found = slot;
				break;
			}
		}
		if (items) {
			if (it->qty < 0 || it->qty > UINT32_MAX)
				return false;
			items[k] = (pt_prep_item){ it->price, (uint32_t)it->qty, pt_prep_at(found == PT_PREP_NO_SUM ? bp->fast.sink : found) };
		}
	}
	if (rs->total_slot >= 0)
		inputs[rs->total_slot] = pt_rat_int(total);
	if (total_out)
		*total_out = total;
	int y = 0, m = 0, dd = 0;
	if (bp->need_ymd)
		pt_date_to_ymd(date, &y, &m, &dd);
	for (size_t b = 0; b < bp->nbuiltins; b++) {
		uint32_t i = bp->builtins[b];
		switch ((pt_builtin)rs->inputs[i].builtin) {
		case PT_B_DATE: inputs[i] = pt_rat_int(date); break;
		case PT_B_DAY: inputs[i] = pt_rat_int(dd); break;
		case PT_B_MONTH: inputs[i] = pt_rat_int(m); break;
		case PT_B_WEEKDAY: inputs[i] = pt_rat_int(pt_date_weekday(date)); break;
		case PT_B_TOTAL: inputs[i] = rs->total_slot >= 0 ? inputs[rs->total_slot] : pt_rat_int(0); break;
		case PT_B_CARD: inputs[i] = word_value(rs, c->card, i); break;
		case PT_B_METHOD: inputs[i] = word_value(rs, c->method, i); break;
		case PT_B_ITEMS: inputs[i] = pt_rat_int((int64_t)c->n_items); break;
		case PT_B__COUNT: break;
		}
	}
	for (size_t p = 0; p < rs->nprogs; p++)
		if (!bind_account(rs, bp->pin + bp->pstart[p], bp->pin + bp->pstart[p + 1], acct[p], inputs))
			return false;
	if (!c->n_uses) {   /* most carts have no `use` records: all 0 */
		for (size_t u = 0; u < bp->nuses; u++)
			inputs[bp->uses[u]] = pt_rat_int(0);
	} else {
		for (size_t u = 0; u < bp->nuses; u++) {
			const pt_input_def *in = &rs->inputs[bp->uses[u]];
			inputs[bp->uses[u]] = pt_rat_int(in->kind != PT_IN_USE_POINTS_YEN ? use_value(rs, c, in) : 0);
		}
	}
	return true;
}

/* Fill inputs[] for a cart that needs no diagnostic; false otherwise. */
bool pt_bind_fast(const pt_ruleset *rs, const pt_cart *c, int32_t date, pt_rat *inputs)
{
	return bind_fast_items(rs, c, date, inputs, NULL, NULL);
}

/* Fill inputs[] for cart c evaluated on `date`: the fast binding when
 * the cart needs no diagnostic, else the reference one, which reports. */
bool pt_bind(const pt_ruleset *rs, const pt_cart *c, int32_t date,
	     pt_rat *inputs, const pt_src *src, pt_diags *d)
{
	if (pt_bind_fast(rs, c, date, inputs))
		return true;
	return pt_bind_reference(rs, c, date, inputs, src, d);
}

/* Fill inputs[] for cart c evaluated on `date`, input by input, with
 * every diagnostic (the reference the fast binding must agree with). */
bool pt_bind_reference(const pt_ruleset *rs, const pt_cart *c, int32_t date,
		       pt_rat *inputs, const pt_src *src, pt_diags *d)
{
	size_t errors = d->n_errors;
	bind_pass bp;
	memset(bp.acct, 0, rs->nprogs * sizeof bp.acct[0]);
	bp.acct_base = c->accounts;
	bp.overflow = false;
	size_t nacct = c->n_accounts < PT_BIND_ACCOUNTS ? c->n_accounts : PT_BIND_ACCOUNTS;
	memset(bp.used, 0, nacct * sizeof bp.used[0]);
	match_accounts(rs, c, &bp, src, d);
	sum_items(rs, c, inputs, &bp.overflow);
	if (bp.overflow)
		pt_diag_at(d, PT_ERROR, src, c->line ? c->line : 1, 1, 1,
			   "the cart's item totals do not fit in 64 bits");
	int y, m, dd;
	pt_date_to_ymd(date, &y, &m, &dd);
	for (size_t i = 0; i < rs->ninputs; i++) {
		const pt_input_def *in = &rs->inputs[i];
		const pt_account *acct = in->kind == PT_IN_LINKED || in->kind == PT_IN_BALANCE ||
						 in->kind == PT_IN_ACCOUNT ? bp.acct[in->prog] : NULL;
		switch (in->kind) {
		case PT_IN_BUILTIN:
			switch ((pt_builtin)in->builtin) {
			case PT_B_DATE: inputs[i] = pt_rat_int(date); break;
			case PT_B_DAY: inputs[i] = pt_rat_int(dd); break;
			case PT_B_MONTH: inputs[i] = pt_rat_int(m); break;
			case PT_B_WEEKDAY: inputs[i] = pt_rat_int(pt_date_weekday(date)); break;
			case PT_B_TOTAL:   /* sum_items filled one; a forged file may have more */
				if ((int)i != rs->total_slot)
					inputs[i] = rs->total_slot >= 0 ? inputs[rs->total_slot] : pt_rat_int(0);
				break;
			case PT_B_CARD: inputs[i] = word_value(rs, c->card, i); break;
			case PT_B_METHOD: inputs[i] = word_value(rs, c->method, i); break;
			case PT_B_ITEMS: inputs[i] = pt_rat_int((int64_t)c->n_items); break;
			case PT_B__COUNT: break;
			}
			break;
		case PT_IN_CATSUM:
			break;   /* sum_items */
		case PT_IN_LINKED:
			inputs[i] = pt_rat_int(acct != NULL);
			break;
		case PT_IN_BALANCE:
			inputs[i] = pt_rat_int(acct ? acct->balance : 0);
			break;
		case PT_IN_ACCOUNT:
			inputs[i] = account_value(rs, i, acct, &bp, src, d);
			break;
		case PT_IN_USE_POINTS:
		case PT_IN_USE_GIFTCARD:
		case PT_IN_USE_PROGRAMS:
			inputs[i] = pt_rat_int(use_value(rs, c, in));
			break;
		case PT_IN_USE_POINTS_YEN:
			inputs[i] = pt_rat_int(0);   /* set once every redeem section has run */
			break;
		}
	}
	/* Keys of a linked account that no input read: warn, suggesting a near one. */
	for (size_t p = 0; p < rs->nprogs; p++) {
		const pt_account *a = bp.acct[p];
		if (!a)
			continue;
		size_t ai = (size_t)(a - c->accounts);
		for (size_t k = 0; k < a->n_keys; k++) {
			bool read = false;
			if (k < 64 && ai < PT_BIND_ACCOUNTS)
				read = (bp.used[ai] >> k) & 1;
			else   /* beyond what the bitmask tracks: look it up */
				for (size_t n = 0; n < rs->ninputs && !read; n++)
					read = rs->inputs[n].kind == PT_IN_ACCOUNT && (size_t)rs->inputs[n].prog == p &&
					       strcmp(rs->inputs[n].name, a->keys[k].key) == 0;
			if (!read)
				warn_unread(rs, (int)p, a, &a->keys[k], src, d);
		}
	}
	return d->n_errors == errors;
}

/* ---- prepared carts -----------------------------------------------------
 * A cart prepared for one rule set (ptrules_cart_prepare, ptrules_batch_add)
 * keeps what binding derives from its names, so that evaluating it looks
 * at no string: each item's amount with its category sum slot, then the
 * inputs, in one of two forms.
 *   Dense: of the first ndense inputs (all of them in a rule set of up
 *     to PT_PREP_DENSE_MAX inputs, and up to the first default that is a
 *     fraction), those the machine code reads where they lie
 *     (pt_bind_in_place: all but the item sums and totals, which binding
 *     adds up), one whole number each, in order (pt_bind_in_pos), so
 *     binding one writes only the sums and totals.  The sums and totals
 *     take no room there: they held only zeros, 56 of the 375 bytes a
 *     packed cart of the shipped rules took (320 now; about 1 ns of the
 *     packed sweep, docs/performance.md).
 *   Compact (nkept 0), and past ndense: the template (what binding gives
 *     a cart with no items, accounts or payment), which every cart shares
 *     and so stays in cache, is copied (the numerators of the inputs read
 *     in place into room, where the machine code reads them, in the dense
 *     form's order), and the cart keeps only
 *     the inputs that differ from it, each a slot and a whole number.
 * The register file gets the inputs read in place only when something
 * other than the machine code reads them (pt_bind_materialize: the
 * interpreter taking over, the reference VM, the policies).
 * Dense binds without copying the template; compact takes less memory
 * when most inputs keep their template value (a cart of the shipped rules
 * takes about 100 bytes of values compact against 160 dense), which
 * counts where a preparation must fit inside the cart object.  Only carts
 * the fast binding accepts are prepared, so a prepared cart never needs a
 * diagnostic except an overflowing total, which sends it back to the
 * reference binding. */

_Static_assert(sizeof(pt_prep) % 8 == 0, "the arrays after a pt_prep are 8-byte aligned");

/* The arrays that follow a pt_prep header: the items first (their number
 * is known before binding; laid out four at a time, prep_nlaid), then the
 * nkept values (pt_bind_items, pt_bind_dense: bind_fast.h), the slots
 * past the inputs the dense form covers, padded to 8 bytes, and their
 * values. */
/* The items laid out: nitems rounded up to a multiple of PT_PREP_CHUNK
 * (a cart of none to PT_PREP_CHUNK), the rest items of no amount. */
static inline size_t prep_nlaid(size_t nitems)
{
	return nitems ? (nitems + PT_PREP_CHUNK - 1) / PT_PREP_CHUNK * PT_PREP_CHUNK : PT_PREP_CHUNK;
}
static inline uint32_t *prep_slots(const pt_prep *p) { return (uint32_t *)(pt_bind_dense(p) + p->nkept); }
static inline int64_t *prep_vals(const pt_prep *p)
{
	return (int64_t *)((char *)prep_slots(p) + ((p->nvals * sizeof(uint32_t) + 7) & ~(size_t)7));
}

/* The slots that hold the cart total: total_slot, then any other TOTAL. */
static uint32_t total_slots(const pt_ruleset *rs, uint32_t *out)
{
	uint32_t n = 0;
	for (size_t i = 0; i < rs->ninputs && rs->total_slot >= 0; i++)
		if ((int)i == rs->total_slot || (rs->inputs[i].kind == PT_IN_BUILTIN && rs->inputs[i].builtin == PT_B_TOTAL)) {
			if (out)
				out[n] = (uint32_t)i;
			n++;
		}
	return n;
}

/* The template and the total slots, in the plan; false when out of
 * memory or binding an empty cart fails (then nothing is prepared). */
static bool prep_template(pt_ruleset *rs, pt_bind_plan *bp)
{
	bp->fast.ntotals = total_slots(rs, NULL);
	bp->fast.totals = pt_arena_alloc(&rs->arena, (bp->fast.ntotals + 1) * sizeof *bp->fast.totals);
	bp->tmpl = pt_arena_alloc(&rs->arena, (rs->ninputs + 1) * sizeof *bp->tmpl);
	if (!bp->fast.totals || !bp->tmpl)
		return false;
	total_slots(rs, bp->fast.totals);
	/* an item in no sum adds its amount to a total, which binding writes
	 * after the items: no test per item, where those items vary per cart */
	bp->fast.sink = bp->fast.ntotals ? bp->fast.totals[0] : PT_PREP_NO_SUM;
	pt_cart empty;
	memset(&empty, 0, sizeof empty);
	rs->bind_plan = bp;   /* pt_bind_fast reads it */
	bool ok = pt_bind_fast(rs, &empty, 0, bp->tmpl);
	rs->bind_plan = NULL;
	for (size_t j = 0; ok && j < rs->ncatsums; j++)
		bp->tmpl[rs->catsum_slots[j]] = pt_rat_int(0);
	for (uint32_t t = 0; ok && t < bp->fast.ntotals; t++)
		bp->tmpl[bp->fast.totals[t]] = pt_rat_int(0);
	/* dense up to the first default that is a fraction: a dense input is
	 * written as a whole number */
	bp->ndense = 0;
	while (ok && bp->ndense < rs->ninputs && bp->ndense < PT_PREP_DENSE_MAX && bp->tmpl[bp->ndense].d == 1)
		bp->ndense++;
	/* in place: what the preparation alone decides, so not the sums and
	 * totals (binding adds the items); use.points_yen is 0 there, as the
	 * redeem sections read it (evaluation sets it afterwards, in the
	 * register file: pt_eval_paid, which the API calls once the inputs
	 * are written there) */
	bp->in_place = ok ? pt_arena_alloc(&rs->arena, bp->ndense + 1) : NULL;
	bp->pos = ok ? pt_arena_alloc(&rs->arena, (bp->ndense + 1) * sizeof *bp->pos) : NULL;
	bp->tmpl_n = ok ? pt_arena_alloc(&rs->arena, (bp->ndense + 1) * sizeof *bp->tmpl_n) : NULL;
	bp->kept = ok ? pt_arena_alloc(&rs->arena, (bp->ndense + 1) * sizeof *bp->kept) : NULL;
	if (!bp->in_place || !bp->pos || !bp->tmpl_n || !bp->kept)
		return false;
	for (uint32_t i = 0; i < bp->ndense; i++)
		bp->in_place[i] = rs->inputs[i].kind != PT_IN_CATSUM;
	for (uint32_t t = 0; t < bp->fast.ntotals; t++)
		if (bp->fast.totals[t] < bp->ndense)
			bp->in_place[bp->fast.totals[t]] = 0;
	_Static_assert(PT_PREP_DENSE_MAX <= UINT16_MAX, "a kept value's place fits pos");
	bp->nkept = 0;
	for (uint32_t i = 0; i < bp->ndense; i++)
		if (bp->in_place[i]) {
			bp->pos[i] = (uint16_t)bp->nkept;
			bp->kept[bp->nkept] = i;
			bp->tmpl_n[bp->nkept++] = bp->tmpl[i].n;
		}
	bp->sums_past_dense = false;
	for (size_t j = 0; j < rs->ncatsums; j++)
		bp->sums_past_dense |= rs->catsum_slots[j] >= bp->ndense;
	for (uint32_t t = 0; t < bp->fast.ntotals; t++)
		bp->sums_past_dense |= bp->fast.totals[t] >= bp->ndense;
	/* the sums side by side (as the compiler lays inputs out), so that
	 * pt_bind_prepared zeroes them without reading where they are */
	uint32_t lo = UINT32_MAX, hi = 0;
	for (size_t k = 0; k < rs->ncatsums; k++) {
		lo = rs->catsum_slots[k] < lo ? rs->catsum_slots[k] : lo;
		hi = rs->catsum_slots[k] > hi ? rs->catsum_slots[k] : hi;
	}
	bp->fast.cat_lo = rs->ncatsums && hi - lo + 1 == rs->ncatsums ? lo : UINT32_MAX;   /* the slots are distinct */
	return true;
}

/* Whether a prepared cart's value of input r is read where
 * pt_bind_prepared leaves it instead of from the register file (the
 * machine code does: jit.h). */
bool pt_bind_in_place(const pt_ruleset *rs, uint32_t r)
{
	const pt_bind_plan *bp = rs->bind_plan;
	return bp && bp->tmpl && r < bp->ndense && bp->in_place[r];
}

/* Where among the values pt_bind_prepared leaves in place input r lies
 * (r read in place: pt_bind_in_place), for the machine code's address
 * of it. */
uint32_t pt_bind_in_pos(const pt_ruleset *rs, uint32_t r)
{
	const pt_bind_plan *bp = rs->bind_plan;
	return pt_bind_in_place(rs, r) ? bp->pos[r] : 0;
}

/* Write the inputs pt_bind_prepared left in place, dense[pos[r]], into
 * inputs: before anything but the machine code reads them.  Idempotent. */
void pt_bind_materialize(const pt_ruleset *rs, const int64_t *dense, pt_rat *inputs)
{
	const pt_bind_plan *bp = rs->bind_plan;
	for (uint32_t r = 0; bp && bp->tmpl && r < bp->ndense; r++)
		if (bp->in_place[r])
			inputs[r].n = dense[bp->pos[r]];
}

/* The bytes pt_bind_prepare needs for cart c, at most. */
size_t pt_bind_prep_size(const pt_ruleset *rs, const pt_cart *c)
{
	return sizeof(pt_prep) + rs->ninputs * (sizeof(uint32_t) + sizeof(int64_t)) + 8 +
	       prep_nlaid(c->n_items) * sizeof(pt_prep_item);   /* nkept values and no slot for those */
}

/* Prepare cart c, evaluated on `date`, for rs into mem (pt_bind_prep_size
 * bytes, 8-byte aligned, owned by the caller), dense or compact, using
 * scratch (rs->ninputs + 1 values): false when the cart needs a
 * diagnostic or has a value that is not whole (evaluation then binds it
 * the ordinary way).  pad: the items laid out four at a time
 * (prep_nlaid), which binding sums with no test between them; a batch
 * does, a cart's own preparation does not, since its dense form must fit
 * the room the cart has for it (PREP_INLINE, api.h), which the items of
 * no amount of a one-item cart would pass.  *total, when not NULL, gets
 * the cart's total (the items summed without overflow). */
bool pt_bind_prepare(const pt_ruleset *rs, const pt_cart *c, int32_t date, void *mem, pt_rat *scratch, bool dense,
		     bool pad, int64_t *total)
{
	const pt_bind_plan *bp = rs->bind_plan;
	pt_prep *p = mem;
	if (!bp || !bp->tmpl || c->n_items > UINT32_MAX / 2)
		return false;
	uint32_t nd = dense ? bp->ndense : 0;   /* the inputs the form covers: past them, slots and values */
	*p = (pt_prep){ .date = date, .nitems = (uint32_t)c->n_items, .nkept = dense ? bp->nkept : 0,
			.ninputs = (uint32_t)rs->ninputs,
			.nlaid = (uint32_t)(pad ? prep_nlaid(c->n_items) : c->n_items) };
	if (!bind_fast_items(rs, c, date, scratch, pt_bind_items(p), total))   /* writes every input */
		return false;
	for (size_t k = p->nitems; k < p->nlaid; k++)   /* of no amount, into the sink */
		pt_bind_items(p)[k] = (pt_prep_item){ 0, 0, pt_prep_at(bp->fast.sink) };
	if (bp->sums_past_dense || !dense) {   /* the template has them 0: compared below */
		for (size_t j = 0; j < rs->ncatsums; j++)
			scratch[rs->catsum_slots[j]] = pt_rat_int(0);
		for (uint32_t t = 0; t < bp->fast.ntotals; t++)
			scratch[bp->fast.totals[t]] = pt_rat_int(0);
	}
	/* The dense inputs read in place (not the sums and totals), gathered
	 * in pos order: whole numbers, since binding writes only whole numbers
	 * and defaults, and below ndense every default is whole (the template
	 * is).  Then which of the others differ from the template, 64 at a
	 * time as a mask with no branch on the data, and those slots and
	 * values in order; one of them that is not whole refuses the cart. */
	uint64_t not_whole = 0;
	int64_t *whole = pt_bind_dense(p);
	const uint32_t *kept = bp->kept;
	for (uint32_t k = 0, nk = p->nkept; k < nk; k++)
		whole[k] = scratch[kept[k]].n;
	uint32_t *slots = prep_slots(p);
	uint32_t k = 0;
	for (size_t base = nd; base < rs->ninputs; base += 64) {
		size_t n = rs->ninputs - base < 64 ? rs->ninputs - base : 64;
		uint64_t mask = 0;
		for (size_t j = 0; j < n; j++) {
			pt_rat v = scratch[base + j], t = bp->tmpl[base + j];
			uint64_t differs = (v.n != t.n) | (v.d != t.d);
			mask |= differs << j;
			not_whole |= differs & (v.d != 1);
		}
		for (; mask; mask &= mask - 1) {
			size_t i = base + (size_t)__builtin_ctzll(mask);
			slots[k] = (uint32_t)i;
			scratch[k++].n = scratch[i].n;   /* k <= i: gathered behind the reading */
		}
	}
	if (not_whole)
		return false;   /* the values are whole numbers; keep that a fact */
	p->nvals = k;
	int64_t *vals = prep_vals(p);
	for (uint32_t j = 0; j < k; j++)
		vals[j] = scratch[j].n;
	return true;
}

/* The bytes a prepared cart takes. */
size_t pt_bind_prep_used(const pt_prep *p)
{
	return (size_t)((const char *)(prep_vals(p) + p->nvals) - (const char *)p);
}

/* (bind_fast.h) pt_bind_prepared for every other shape of preparation:
 * compact, with values past ndense, or sums that are not side by side;
 * false when p's shape does not fit rs. */
bool pt_bind_prepared_other(const pt_ruleset *rs, const pt_prep *p, pt_rat *inputs, int64_t *room, const int64_t **in)
{
	const pt_bind_plan *bp = rs->bind_plan;
	if (!bp || !bp->tmpl || p->ninputs != rs->ninputs)
		return false;
	uint32_t nd = bp->ndense;
	if (p->nkept) {
		if (p->nkept != bp->nkept)
			return false;
		*in = pt_bind_dense(p);
	} else {   /* compact: the template, and the values below overwrite it */
		memcpy(room, bp->tmpl_n, bp->nkept * sizeof *room);
		*in = room;
	}
	for (size_t k = 0; k < rs->ncatsums; k++)
		inputs[rs->catsum_slots[k]].n = 0;
	if (nd < rs->ninputs)
		memcpy(inputs + nd, bp->tmpl + nd, (rs->ninputs - nd) * sizeof *inputs);
	const uint32_t *slots = prep_slots(p);
	const int64_t *vals = prep_vals(p);
	for (uint32_t k = 0; k < p->nvals; k++) {   /* slots ascending; none is a sum or a total */
		if (slots[k] < nd && bp->in_place[slots[k]])
			room[bp->pos[slots[k]]] = vals[k];
		else
			inputs[slots[k]] = pt_rat_int(vals[k]);
	}
	pt_bind_add_items(&bp->fast, p, inputs);
	return true;
}

