#ifndef CLIBFUZZER_H
#define CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt, FuzzerInterface.h): parses libFuzzer's command line and fuzzes
/// `callback`. It is what libFuzzer's own `main` calls; the fuzz targets call it from theirs,
/// because SwiftPM makes an executable's `main` an alias of the module's entry point.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
