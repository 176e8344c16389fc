#ifndef SPOOL_CJAVASCRIPTCORE_SHIM_H
#define SPOOL_CJAVASCRIPTCORE_SHIM_H

// JavaScriptCore's C API, opened with dlopen the first time a sandbox is made
// rather than linked: a server that runs no dynamic worker never maps the
// library (and the GLib and ICU it pulls in), which is about 6 MB of resident
// memory. The headers give the types; each function is looked up by name into
// a table whose field types come from the declarations themselves
// (`__typeof__`), so the compiler checks every signature.
#include <JavaScriptCore/JavaScript.h>
#include <dlfcn.h>
#include <stdbool.h>

// Exported by libjavascriptcoregtk but not declared in its public headers.
typedef bool (*JSShouldTerminateCallback)(JSContextRef ctx, void *context);
void JSContextGroupSetExecutionTimeLimit(JSContextGroupRef group, double limit, JSShouldTerminateCallback callback, void *context);
void JSContextGroupClearExecutionTimeLimit(JSContextGroupRef group);
// The heap's statistics as an object: `heapSize` (bytes live at the last collection, extra
// memory such as array buffers and large strings included), `heapCapacity` (bytes of the blocks
// the heap holds, garbage included, plus extra memory), `objectCount` and more. It walks every
// live cell (to count objects by type), so it costs about as much as a collection.
JSObjectRef JSGetMemoryUsageStatistics(JSContextRef ctx);
// A full collection, now, on the calling thread.
void JSSynchronousGarbageCollectForDebugging(JSContextRef ctx);
// Called at the end of each garbage collection of the group's heap.
typedef void (*JSHeapFinalizer)(JSContextGroupRef group, void *userData);
void JSContextGroupAddHeapFinalizer(JSContextGroupRef group, JSHeapFinalizer finalizer, void *userData);
void JSContextGroupRemoveHeapFinalizer(JSContextGroupRef group, JSHeapFinalizer finalizer, void *userData);

#define SPOOL_JSC_FUNCTIONS(X) \
    X(JSContextGroupCreate) \
    X(JSContextGroupRelease) \
    X(JSContextGroupSetExecutionTimeLimit) \
    X(JSContextGroupClearExecutionTimeLimit) \
    X(JSContextGroupAddHeapFinalizer) \
    X(JSContextGroupRemoveHeapFinalizer) \
    X(JSGetMemoryUsageStatistics) \
    X(JSSynchronousGarbageCollectForDebugging) \
    X(JSGlobalContextCreateInGroup) \
    X(JSGlobalContextRelease) \
    X(JSCheckScriptSyntax) \
    X(JSEvaluateScript) \
    X(JSObjectCallAsFunction) \
    X(JSObjectGetProperty) \
    X(JSObjectIsFunction) \
    X(JSValueMakeFromJSONString) \
    X(JSValueCreateJSONString) \
    X(JSValueIsObject) \
    X(JSValueIsUndefined) \
    X(JSValueIsNumber) \
    X(JSValueToObject) \
    X(JSValueToNumber) \
    X(JSValueToStringCopy) \
    X(JSValueProtect) \
    X(JSValueUnprotect) \
    X(JSStringCreateWithUTF8CString) \
    X(JSStringGetMaximumUTF8CStringSize) \
    X(JSStringGetUTF8CString) \
    X(JSStringRelease)

/// The JavaScriptCore functions Spool calls, one field per function, named as the function.
typedef struct {
#define SPOOL_JSC_FIELD(name) __typeof__(&name) _Nonnull name;
    SPOOL_JSC_FUNCTIONS(SPOOL_JSC_FIELD)
#undef SPOOL_JSC_FIELD
} SpoolJavaScriptCore;

/// Opens the library (once per process is enough; the caller keeps the table) and fills `api`.
/// Returns NULL, or why it could not: dlopen's error, or the name of a missing function.
static inline const char *_Nullable spool_open_javascriptcore(SpoolJavaScriptCore *_Nonnull api) {
    void *library = dlopen("libjavascriptcoregtk-4.1.so.0", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) return dlerror();
#define SPOOL_JSC_LOOKUP(name) \
    if ((api->name = (__typeof__(&name))dlsym(library, #name)) == NULL) return #name;
    SPOOL_JSC_FUNCTIONS(SPOOL_JSC_LOOKUP)
#undef SPOOL_JSC_LOOKUP
    return NULL;
}

#endif
