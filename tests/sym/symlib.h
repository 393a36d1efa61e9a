/* Interface of the stripped test library (symbol table only). */
#ifndef SYMLIB_H
#define SYMLIB_H

/* Calls cb twice, once directly and once through a local function. */
int symlib_call(void (*cb)(const char *label));

#endif
