/**
 * An error a local service raises the way AWS would: the endpoint turns it into the protocol's
 * error shape (JSON `__type`, query `<ErrorResponse>`), in-process callers see the same code.
 */
export class AwsServiceError extends Error {
  /** The JSON protocol's error type (`QueueDoesNotExist`, `ResourceNotFoundException`, ...). */
  readonly code: string;
  /** The query protocol's code when it differs (`AWS.SimpleQueueService.NonExistentQueue`). */
  readonly queryCode: string;
  readonly status: number;
  readonly fault: 'Sender' | 'Receiver';
  /** Whether AWS would retry a delivery that failed with this (throttling, not a missing resource). */
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { status?: number; queryCode?: string; fault?: 'Sender' | 'Receiver'; retryable?: boolean } = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.queryCode = options.queryCode ?? code;
    this.status = options.status ?? 400;
    this.fault = options.fault ?? (this.status >= 500 ? 'Receiver' : 'Sender');
    this.retryable = options.retryable ?? false;
  }
}

export const sqsErrors = {
  queueDoesNotExist: () =>
    new AwsServiceError('QueueDoesNotExist', 'The specified queue does not exist.', { queryCode: 'AWS.SimpleQueueService.NonExistentQueue' }),
  receiptHandleIsInvalid: (handle: string) =>
    new AwsServiceError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`, { status: 404 }),
  messageNotInflight: () =>
    new AwsServiceError('MessageNotInflight', 'The message referred to is not in flight.', { queryCode: 'AWS.SimpleQueueService.MessageNotInflight' }),
  invalidParameterValue: (message: string) => new AwsServiceError('InvalidParameterValue', message),
  missingParameter: (message: string) => new AwsServiceError('MissingParameter', message),
};
