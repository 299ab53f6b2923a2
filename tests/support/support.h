#pragma once
// Test support for segd: builders and process helpers shared by the test binaries.
