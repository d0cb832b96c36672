// CrashSignals: a crash of `tresor serve` is loud. Whatever the cause — a stack overflow
// (SIGSEGV), a Swift trap (SIGILL, SIGTRAP), abort() (SIGABRT), a bus error — one line naming the
// signal is written to standard error (the log), then the signal's default action ends the
// process, so the exit status says "killed by SIGSEGV" and a supervisor (systemd
// `Restart=on-failure`) restarts it.
#ifndef TRESOR_CRASH_SIGNALS_H
#define TRESOR_CRASH_SIGNALS_H

/// Installs the handlers for the fatal signals, and gives the calling thread and every thread
/// created afterwards an alternate signal stack (a handler cannot run on a stack that has just
/// overflowed). `program` prefixes the line; it must stay valid for ever. Returns 0, or -1 when a
/// handler could not be installed. Linking this module into an executable calls it before `main`
/// (a constructor), with "tresor".
int tresor_install_crash_signals(const char *program);

#endif
