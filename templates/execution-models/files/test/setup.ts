// Runs before every test file imports anything: Powertools reads these when its logger and metrics
// are created (at import), so the handlers' modules stay quiet and publish no metrics.
Object.assign(process.env, {
  POWERTOOLS_SERVICE_NAME: 'execution-models-test',
  POWERTOOLS_METRICS_NAMESPACE: 'execution-models-test',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_TRACE_ENABLED: 'false',
});
