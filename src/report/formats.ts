/** The output formats of the report renderers, in a module of their own: the CLI lists them at start-up without loading a renderer. */
export type FindingsFormat = 'text' | 'json' | 'markdown' | 'sarif';
export const FINDINGS_FORMATS: readonly FindingsFormat[] = ['text', 'json', 'markdown', 'sarif'];

export type DriftFormat = 'text' | 'json' | 'markdown' | 'sarif';
export const DRIFT_FORMATS: readonly DriftFormat[] = ['text', 'json', 'markdown', 'sarif'];
