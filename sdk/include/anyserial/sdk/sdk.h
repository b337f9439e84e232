/* anyserial SDK — every C header of the ABI. */
#ifndef ANYSERIAL_SDK_SDK_H
#define ANYSERIAL_SDK_SDK_H

#include "backend.h"
#include "device.h"
#include "entry.h"
#include "export.h"
#include "ext/discovery.h"
#include "ext/mock_faults.h"
#include "ext/simulator.h"
#include "host.h"
#include "protocol.h"
#include "serial_config.h"
#include "status.h"
#include "threads.h"
#include "version.h"

#endif
