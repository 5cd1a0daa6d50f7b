/* Test-only stand-in for Windows' bcryptprimitives.dll, for running hangviet.exe under
 * Debian 12's wine 8, which lacks that DLL. Rust's standard library (1.78+) draws random
 * bytes (HashMap seeds) from ProcessPrng there; every Windows 10/11 has the real DLL, so
 * this file is never shipped: tests/run step_windows builds it next to the .exe under test.
 * RtlGenRandom (advapi32 SystemFunction036) gives the same kind of bytes. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
