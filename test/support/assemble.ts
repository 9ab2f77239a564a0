/**
 * Every test file starts with the modules assembled (src/app/modules.ts), as the server, the worker
 * and each command do: services that read a contribution point (the dashboard's indicator sources,
 * the daily e-mail's sections) are called directly by many tests.
 */
import { assembleModules } from "../../src/app/modules.ts";

assembleModules();
