// The fake @azure/functions-core now lives with the local host, which uses it too.
export * from '../../local/host/functionsCore.ts';
