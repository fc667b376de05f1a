#!/usr/bin/env node
/**
 * The `acs-keys` executable.
 *
 * @since 0.1.0
 */
import * as AcsKeys from "./AcsKeys.js"

AcsKeys.main(process.argv.slice(2))
