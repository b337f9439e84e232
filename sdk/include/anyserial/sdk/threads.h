/* anyserial SDK — the thread tags, defined once for every header of the ABI.
 *
 * Every function pointer of the C ABI carries one of these tags in its comment. They are a
 * contract in both directions: the core never calls a function outside its tag, and a
 * plugin must tolerate every call its tag allows.
 *
 *   [thread-safe]  any thread, concurrently with any other call on the same object.
 *   [any-thread]   any thread, but never concurrently with another [any-thread] call on the
 *                  same object (the core serialises them).
 *   [io-thread]    a backend port's I/O: never concurrently for one direction. Calls of
 *                  different directions, and the control calls, may run at the same time on
 *                  different threads (the blocking facade runs a port's I/O on its caller's
 *                  thread while configure or reset_input run on its loop thread).
 *   [session]      a protocol session or simulator: one thread at a time, calls never
 *                  overlap, but successive calls may come from different threads.
 *
 * Pointers a [session] call hands out (frames, events, results, channel infos) stay valid
 * until the next call on the same object; the core copies what it keeps before it calls
 * again. Static descriptors (protocol descriptors, flag, command and argument infos) live
 * until the plugin's deinit(). */
#ifndef ANYSERIAL_SDK_THREADS_H
#define ANYSERIAL_SDK_THREADS_H

#endif
