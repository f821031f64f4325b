/* date.h - civil dates as day numbers (days since 1970-01-01). */
#ifndef PT_DATE_H
#define PT_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Day number of y-m-d (proleptic Gregorian). */
int32_t pt_date_from_ymd(int y, int m, int d);
void pt_date_to_ymd(int32_t days, int *y, int *m, int *d);
/* The same by eras of 400 years, for any day: the reference the faster
 * pt_date_to_ymd is tested against, and what it does outside
 * PT_DATE_FAST_LO .. PT_DATE_FAST_HI (days since 1970-01-01). */
void pt_date_to_ymd_era(int32_t days, int *y, int *m, int *d);
#define PT_DATE_FAST_ERAS 82          /* 400-year eras before 0000-03-01 where its count starts */
#define PT_DATE_FAST_LO (-719468 - 146097 * PT_DATE_FAST_ERAS)   /* -32800-03-01 */
#define PT_DATE_FAST_HI 12000000
/* Parse exactly "YYYY-MM-DD" (a real calendar date, years 1900..9999). */
bool pt_date_parse(const char *s, size_t len, int32_t *out);
/* Write "YYYY-MM-DD" into buf (at least 11 bytes). */
void pt_date_format(int32_t days, char *buf);
/* Day of month 1..31. */
int pt_date_day(int32_t days);
/* ISO weekday, 1 = Monday .. 7 = Sunday. */
int pt_date_weekday(int32_t days);
/* Today's date in Japan (UTC+9, no DST), from the system clock. */
int32_t pt_date_today_jst(void);

#endif
