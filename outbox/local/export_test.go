package local

// HookSpooled lets crash tests stop an enqueue after its spool file is
// durable and before its record is committed.
var HookSpooled = &testHookSpooled
