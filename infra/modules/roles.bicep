// The engine identity's roles inside the engine's own resource group, each on the one resource it
// is about, and on Service Bus each on the one queue it is about. (Its network roles are on the
// cluster's resource group and VNet: networkRole.bicep, vnetRole.bicep.)

@description('Principal (object) id of the engine\'s managed identity.')
param principalId string

param storageAccountName string
param serviceBusNamespaceName string
param appInsightsName string

@description('The queues the engine\'s functions send to.')
param sendQueueNames array

@description('The queues the engine\'s functions are triggered by. Never k8s-actions: that is the forwarder\'s.')
param receiveQueueNames array

// Built-in role definition ids (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var role = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource sendQueues 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' existing = [
  for queueName in sendQueueNames: {
    parent: namespace
    name: queueName
  }
]

resource receiveQueues 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' existing = [
  for queueName in receiveQueueNames: {
    parent: namespace
    name: queueName
  }
]

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// Blob Data Owner, not Contributor: the Functions host takes blob leases (timer singleton) and
// keeps its keys in blobs, and Flex Consumption reads the package from the deployment container;
// the host's documentation asks for Owner. Table Data Contributor: the engine state and the NRP
// throttle. No queue role: no trigger of this app uses storage queues.
resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in [role.storageBlobDataOwner, role.storageTableDataContributor]: {
    name: guid(storage.id, principalId, roleId)
    scope: storage
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

// Sender and Receiver, not Owner: the app sends to and receives from queues but never manages them.
// Each on its queue, not on the namespace: a namespace-wide Receiver could accept the forwarder's
// k8s-actions session and take the engine's actions away from it (docs/adr/0021).
resource sendRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (queueName, i) in sendQueueNames: {
    name: guid(sendQueues[i].id, principalId, role.serviceBusDataSender)
    scope: sendQueues[i]
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.serviceBusDataSender)
    }
  }
]

resource receiveRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (queueName, i) in receiveQueueNames: {
    name: guid(receiveQueues[i].id, principalId, role.serviceBusDataReceiver)
    scope: receiveQueues[i]
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.serviceBusDataReceiver)
    }
  }
]

// Application Insights has local auth disabled: telemetry needs an Entra token of an identity
// allowed to publish metrics to this one resource.
resource appInsightsRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in [role.monitoringMetricsPublisher]: {
    name: guid(appInsights.id, principalId, roleId)
    scope: appInsights
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]
