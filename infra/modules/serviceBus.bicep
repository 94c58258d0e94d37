// The Service Bus namespace and every queue the code uses (shared/messages/outgoing.ts). Entra ID
// only; the engine and the forwarder get data roles, nobody gets a key.

param name string
param location string
param tags object = {}

@description('How long a queue remembers a MessageId. Senders resend with the same id after a crash or an uncertain send (ADR 0005, ADR 0006); a resend later than this is not recognised as a duplicate. A crashed holder\'s message returns after lockDuration (30 s), so 10 minutes covers several crashes in a row.')
param duplicateDetectionWindow string = 'PT10M'

// Sessions where the code needs one consumer per cluster (SessionId = cluster): the engine is the
// single writer of a cluster's state, the locations function the single writer of its NRP address
// locations, and one forwarder replica applies a cluster's Kubernetes actions in order.
// rejected-messages holds what a function could not use, with the reason, for an operator.
var queues = [
  { name: 'engine-events', requiresSession: true }
  { name: 'service-ops', requiresSession: false }
  { name: 'locations-sync', requiresSession: true }
  { name: 'k8s-actions', requiresSession: true }
  { name: 'rejected-messages', requiresSession: false }
]

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  // Basic has neither sessions nor duplicate detection.
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    // The forwarder connects from the cluster and the Function App has no virtual network.
    publicNetworkAccess: 'Enabled'
  }
}

// requiresSession and requiresDuplicateDetection cannot change once a queue exists: changing them
// means deleting the queue (and its messages) first.
resource queue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = [
  for q in queues: {
    parent: namespace
    name: q.name
    properties: {
      requiresSession: q.requiresSession
      requiresDuplicateDetection: true
      duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
      // A message that fails 10 times is a poison message: it goes to the dead-letter queue with
      // its reason instead of blocking its session.
      maxDeliveryCount: 10
      // The host renews locks while a handler runs; a crashed holder's message (or session)
      // comes back after 30 s instead of the default minute.
      lockDuration: 'PT30S'
      defaultMessageTimeToLive: 'P14D'
      // An expired message is kept where an operator can see and replay it, never dropped.
      deadLetteringOnMessageExpiration: true
      enablePartitioning: false
      maxSizeInMegabytes: 1024
    }
  }
]

output name string = namespace.name
output id string = namespace.id
// The host name alone (no scheme, no port), as the SDKs take it; read from the endpoint
// (https://<name>.servicebus.windows.net:443/) rather than built from a suffix so that it holds
// in every Azure cloud.
output fullyQualifiedNamespace string = split(replace(replace(namespace.properties.serviceBusEndpoint, 'https:', ''), '/', ''), ':')[0]
