#ifndef COMMITCHECK_CZ3_SHIM_H
#define COMMITCHECK_CZ3_SHIM_H
#include <z3.h>
#endif
