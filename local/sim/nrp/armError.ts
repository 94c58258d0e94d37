// ARM error responses: always `{"error":{"code","message"}}` with an HTTP status.

export class ArmError extends Error {
  override readonly name = 'ArmError';
  readonly status: number;
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: string, message: string, headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }

  body(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export function badRequest(code: string, message: string): ArmError {
  return new ArmError(400, code, message);
}

export function invalidFormat(message: string): ArmError {
  return new ArmError(400, 'InvalidRequestFormat', message);
}

export function notFound(type: string, name: string, resourceGroup: string): ArmError {
  return new ArmError(404, 'ResourceNotFound',
    `The Resource 'Microsoft.Network/${type}/${name}' under resource group '${resourceGroup}' was not found. ` +
    'For more details please go to https://aka.ms/ARMResourceNotFoundFix');
}

/** The message NRP uses when a referenced resource does not exist. */
export function invalidReference(referencedId: string, referencingId: string): ArmError {
  return new ArmError(400, 'InvalidResourceReference',
    `Resource ${referencedId} referenced by resource ${referencingId} was not found. ` +
    'Please make sure that the referenced resource exists, and that both resources are in the same region.');
}

/** Default error code of an injected fault status. */
export function defaultFaultCode(status: number): string {
  switch (status) {
    case 400: return 'BadRequest';
    case 404: return 'ResourceNotFound';
    case 409: return 'AnotherOperationInProgress';
    case 412: return 'PreconditionFailed';
    case 429: return 'TooManyRequests';
    case 500: return 'InternalServerError';
    case 502: return 'BadGateway';
    case 503: return 'ServiceUnavailable';
    case 504: return 'GatewayTimeout';
    default: return 'SimulatedFault';
  }
}
