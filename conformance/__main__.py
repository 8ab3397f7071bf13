from conformance.launch import entry

entry()
