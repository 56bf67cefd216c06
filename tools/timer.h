/* Wall-clock time for reported timings. */
#ifndef REALM_TOOL_TIMER_H
#define REALM_TOOL_TIMER_H

/* Seconds from an arbitrary fixed point (CLOCK_MONOTONIC: never jumps). */
double tool_now(void);

#endif
