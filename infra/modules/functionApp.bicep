// The engine's Function App on Flex Consumption (Node 22), with every app setting the code reads
// (functions/settings.ts, shared/azure/networkConfig.ts). Every connection is identity-based:
// `<Connection>__credential = managedidentity` with the user-assigned identity's client id.

param name string
param planName string
param location string
param tags object = {}

@description('azd service this app is deployed as (the service key in azure.yaml).')
param serviceName string

@description('Resource id and client id of the user-assigned identity the app runs as.')
param identityId string
param identityClientId string

param storageAccountName string
param deploymentContainerName string
param appInsightsName string
param serviceBusFullyQualifiedNamespace string

@description('Table of the engine state (ENGINE_STATE_TABLE).')
param stateTableName string

@description('The cluster this app serves: the Service Bus session id, and the one cluster the timer asks NRP about (ENGINE_CLUSTERS).')
param clusterName string

// Where the cluster's network resources live (shared/azure/networkConfig.ts).
param clusterSubscriptionId string
param networkSubscriptionId string
param clusterResourceGroup string
param vnetName string
param vnetResourceGroup string
param clusterLocation string
param serviceGatewayName string

@description('Client id of the Entra ID app registration callers of the debug endpoints get tokens for (audience api://<client id>); empty: no App Service authentication, the function key alone guards them (docs/runbook.md#debug-endpoints, ADR 0022).')
param debugEntraClientId string = ''

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048
param maximumInstanceCount int = 100

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    // Linux
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    // The host's storage (keys, timer leases) and the engine's tables: one account, by identity.
    // accountName is what the host reads; tableServiceUri is what the app's table clients use.
    AzureWebJobsStorage__accountName: storage.name
    AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    // The Service Bus triggers (connection: 'ServiceBusConnection') and the app's sender.
    ServiceBusConnection__fullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
    ServiceBusConnection__credential: 'managedidentity'
    ServiceBusConnection__clientId: identityClientId
    // The identity every SDK client of the app signs in with (Tables, Service Bus, ARM).
    AZURE_CLIENT_ID: identityClientId
    // Identifies the Application Insights resource; with local auth disabled it cannot write
    // without the Entra token that the authentication string asks for.
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    ENGINE_STATE_TABLE: stateTableName
    ENGINE_CLUSTERS: clusterName
    CLUSTER_NAME: clusterName
    AZURE_SUBSCRIPTION_ID: clusterSubscriptionId
    AZURE_NETWORK_SUBSCRIPTION_ID: networkSubscriptionId
    AZURE_RESOURCE_GROUP: clusterResourceGroup
    AZURE_VNET_NAME: vnetName
    AZURE_VNET_RESOURCE_GROUP: vnetResourceGroup
    AZURE_LOCATION: clusterLocation
    SERVICE_GATEWAY_NAME: serviceGatewayName
  }
}

// App Service authentication in front of every HTTP function (only debug is one): a request
// without a valid Entra ID token for the app registration gets 401 before the host sees it. The
// function key is still required behind it (authLevel 'function'). Queue and timer triggers are
// not HTTP requests and are not affected.
resource debugAuth 'Microsoft.Web/sites/config@2024-11-01' = if (!empty(debugEntraClientId)) {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: debugEntraClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            'api://${debugEntraClientId}'
          ]
        }
      }
    }
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
