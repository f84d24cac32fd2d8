package outbox

// HookBeforeRecord lets crash tests stop a runner between a message's
// final reply and the commit of its outcome.
var HookBeforeRecord = &testHookBeforeRecord

// ProcessStart is a process's start time as owner names carry it.
var ProcessStart = processStart
