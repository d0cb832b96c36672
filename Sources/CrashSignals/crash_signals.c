// The fatal-signal handler of `tresor serve` (see include/crash_signals.h).
//
// Invariants:
// - The handler calls only async-signal-safe functions (write, sigaction, raise: POSIX.1-2017
//   §2.4.3) and formats its line into a buffer on its own stack: nothing is allocated or locked.
// - It runs on an alternate signal stack (SA_ONSTACK). sigaltstack is per thread and a new thread
//   does not inherit it (pthread_create(3)), so pthread_create is wrapped while the handlers are
//   installed: each new thread — event loops, the concurrency pool's workers, Dispatch's — sets up
//   its own stack before it runs anything, and frees it when it ends (a thread-specific key's
//   destructor).
// - After the line, the default action is restored and the signal raised again: the process dies
//   of that signal (a core dump where the system keeps them), never exits 0.
#define _GNU_SOURCE
#include "crash_signals.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/// Room for the handler's frame and the write; far more than it needs.
#define SIGNAL_STACK_SIZE (64 * 1024)

static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS };
static const char *program_name = "tresor";
/// Set once the handlers are installed; from then on new threads get a signal stack.
static volatile sig_atomic_t handlers_installed = 0;
static pthread_key_t signal_stack_key;
static pthread_once_t signal_stack_key_once = PTHREAD_ONCE_INIT;

// MARK: - Signal stacks

static void release_signal_stack(void *memory) {
    stack_t disabled;
    memset(&disabled, 0, sizeof disabled);
    disabled.ss_flags = SS_DISABLE;
    sigaltstack(&disabled, NULL);
    free(memory);
}

static void make_signal_stack_key(void) {
    pthread_key_create(&signal_stack_key, release_signal_stack);
}

/// Gives the calling thread an alternate signal stack, unless it has one.
static void prepare_signal_stack(void) {
    stack_t current;
    if (sigaltstack(NULL, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return;
    pthread_once(&signal_stack_key_once, make_signal_stack_key);
    void *memory = malloc(SIGNAL_STACK_SIZE);
    if (memory == NULL) return;
    stack_t stack;
    memset(&stack, 0, sizeof stack);
    stack.ss_sp = memory;
    stack.ss_size = SIGNAL_STACK_SIZE;
    if (sigaltstack(&stack, NULL) != 0) {
        free(memory);
        return;
    }
    pthread_setspecific(signal_stack_key, memory);
}

struct thread_start {
    void *(*routine)(void *);
    void *argument;
};

static void *start_with_signal_stack(void *raw) {
    struct thread_start start = *(struct thread_start *)raw;
    free(raw);
    prepare_signal_stack();
    return start.routine(start.argument);
}

typedef int (*pthread_create_function)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

/// Wraps the C library's pthread_create (found with RTLD_NEXT): the executable's definition is the
/// one every library's call binds to, so every thread of the process starts here.
int pthread_create(pthread_t *thread, const pthread_attr_t *attributes, void *(*routine)(void *), void *argument) {
    static pthread_create_function library_create = NULL;
    pthread_create_function create = __atomic_load_n(&library_create, __ATOMIC_ACQUIRE);
    if (create == NULL) {
        create = (pthread_create_function)dlsym(RTLD_NEXT, "pthread_create");
        __atomic_store_n(&library_create, create, __ATOMIC_RELEASE);
    }
    if (!handlers_installed) return create(thread, attributes, routine, argument);
    struct thread_start *start = malloc(sizeof *start);
    if (start == NULL) return create(thread, attributes, routine, argument);
    start->routine = routine;
    start->argument = argument;
    int result = create(thread, attributes, start_with_signal_stack, start);
    if (result != 0) free(start);
    return result;
}

// MARK: - The handler

static void append_text(char *line, size_t *length, size_t capacity, const char *text) {
    while (*text != '\0' && *length < capacity) line[(*length)++] = *text++;
}

static void append_number(char *line, size_t *length, size_t capacity, unsigned long value, unsigned base) {
    char digits[24];
    size_t count = 0;
    do {
        digits[count++] = "0123456789abcdef"[value % base];
        value /= base;
    } while (value != 0 && count < sizeof digits);
    while (count > 0 && *length < capacity) line[(*length)++] = digits[--count];
}

static const char *signal_name(int signal) {
    switch (signal) {
    case SIGSEGV: return "SIGSEGV (invalid memory access or stack overflow)";
    case SIGBUS: return "SIGBUS (bus error)";
    case SIGILL: return "SIGILL (illegal instruction: a Swift runtime trap)";
    case SIGFPE: return "SIGFPE (arithmetic error)";
    case SIGABRT: return "SIGABRT (abort)";
    case SIGTRAP: return "SIGTRAP (trap)";
    case SIGSYS: return "SIGSYS (bad system call)";
    default: return "signal";
    }
}

static void crash_handler(int signal, siginfo_t *info, void *context) {
    (void)context;
    char line[256];
    size_t length = 0;
    const size_t capacity = sizeof line - 1;
    append_text(line, &length, capacity, program_name);
    append_text(line, &length, capacity, ": fatal signal ");
    append_number(line, &length, capacity, (unsigned long)signal, 10);
    append_text(line, &length, capacity, " ");
    append_text(line, &length, capacity, signal_name(signal));
    if (info != NULL && info->si_code <= 0) {
        // SI_USER, SI_QUEUE, SI_TKILL: sent by a process (kill), not raised by a fault.
        append_text(line, &length, capacity, ", sent by process ");
        append_number(line, &length, capacity, (unsigned long)info->si_pid, 10);
    } else if (info != NULL && (signal == SIGSEGV || signal == SIGBUS)) {
        append_text(line, &length, capacity, " at address 0x");
        append_number(line, &length, capacity, (unsigned long)info->si_addr, 16);
    }
    append_text(line, &length, capacity, "; the server stops now");
    line[length++] = '\n';
    ssize_t ignored = write(STDERR_FILENO, line, length);
    (void)ignored;

    struct sigaction original;
    memset(&original, 0, sizeof original);
    original.sa_handler = SIG_DFL;
    sigemptyset(&original.sa_mask);
    sigaction(signal, &original, NULL);
    // Blocked while this handler runs: delivered, with its default action, when it returns (a
    // fault would also happen again at the same instruction).
    raise(signal);
}

int tresor_install_crash_signals(const char *program) {
    if (program != NULL) program_name = program;
    prepare_signal_stack();
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = crash_handler;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    int result = 0;
    for (size_t index = 0; index < sizeof fatal_signals / sizeof fatal_signals[0]; index++) {
        if (sigaction(fatal_signals[index], &action, NULL) != 0) result = -1;
    }
    handlers_installed = 1;
    return result;
}

/// Installed before `main`, before any thread exists, so that every thread of every `tresor`
/// command — the server's above all — starts with its signal stack.
__attribute__((constructor)) static void install_at_start(void) {
    tresor_install_crash_signals("tresor");
}
