// The Metadata API version from which Salesforce's Metadata API reference says each element this project's metadata
// uses exists, one row per metadata type and element path. test/salesforce-metadata-versions.test.ts holds every
// element of every file under salesforce/ to this table and to sfdx-project.json's sourceApiVersion.
//
// Read from the reference's Summer '26 edition (API 67.0). A row's version is the element's own "Available in API
// version N" note when it has one, else that of the subtype it belongs to (FlowActionCall, NamedCredentialParameter...),
// else the type's "Version" section. `until` is the last version in which the reference still lists the element.
// An element the reference does not list has no row, so the test refuses it.

/** The reference page of each metadata type. */
export const REFERENCE = {
  CustomField: 'https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/customfield.htm',
  CustomObject: 'https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/customobject.htm',
  ExternalClientApplication:
    'https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_externalclientapplication.htm',
  ExternalCredential:
    'https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_externalcredential.htm',
  ExternalServiceRegistration:
    'https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_externalserviceregistration.htm',
  ExtlClntAppConfigurablePolicies:
    'https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_extlclntappconfigurablepolicies.htm',
  ExtlClntAppGlobalOauthSettings:
    'https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_extlclntappglobaloauthsettings.htm',
  ExtlClntAppOauthConfigurablePolicies:
    'https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_extlclntappoauthconfigurablepolicies.htm',
  ExtlClntAppOauthSettings:
    'https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_extlclntappoauthsettings.htm',
  Flow: 'https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_visual_workflow.htm',
  NamedCredential: 'https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_namedcredential.htm',
  PermissionSet: 'https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_permissionset.htm',
  PlatformEventChannelMember:
    'https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_platformeventchannelmember.htm',
} as const

export type MetadataType = keyof typeof REFERENCE

export interface ElementVersion {
  since: number
  /** Where on the type's page the version is stated. */
  source: string
  /** Last version the reference lists the element in; absent while it is current. */
  until?: number
}

const row = (since: number, source: string, until?: number): ElementVersion =>
  until === undefined ? { since, source } : { since, source, until }

/** Rows sharing one source, e.g. every field of a subtype that carries no note of its own. */
const rows = (since: number, source: string, paths: string[]) =>
  Object.fromEntries(paths.map((path) => [path, row(since, source)]))

// A flow node (FlowNode) has name and description (FlowElement), label, locationX and locationY; a connector
// (FlowConnector) has targetReference; a value (FlowElementReferenceOrValue) one of elementReference, stringValue,
// numberValue, booleanValue. None of them carries a version note, so they are as old as the type (24.0).
const node = (prefix: string, source: string) =>
  rows(24, source, [
    `${prefix}/description`,
    `${prefix}/name`,
    `${prefix}/label`,
    `${prefix}/locationX`,
    `${prefix}/locationY`,
  ])

export const ELEMENT_VERSIONS: Record<MetadataType, Record<string, ElementVersion>> = {
  CustomField: {
    ...rows(10, 'Version: custom and standard fields, API 10.0', [
      'description',
      'externalId',
      'fullName',
      'inlineHelpText',
      'label',
      'length',
      'precision',
      'required',
      'scale',
      'type',
      'unique',
    ]),
    ...rows(32, 'isFilteringDisabled, isNameField, isSortingDisabled: "available in API version 32.0 and later"', [
      'isFilteringDisabled',
      'isNameField',
      'isSortingDisabled',
    ]),
  },
  CustomObject: {
    ...rows(10, 'Version: custom objects, API 10.0', ['deploymentStatus', 'description', 'label', 'pluralLabel']),
    eventType: row(41, 'eventType: "available in API version 41.0 and later"'),
    publishBehavior: row(46, 'publishBehavior: "available in API version 46.0 and later"'),
  },
  ExternalClientApplication: rows(59, 'Version: API 59.0', [
    'contactEmail',
    'description',
    'distributionState',
    'isProtected',
    'label',
  ]),
  ExternalCredential: rows(56, 'Version: API 56.0; ExternalCredentialParameter: API 56.0', [
    'authenticationProtocol',
    'externalCredentialParameters',
    'externalCredentialParameters/parameterGroup',
    'externalCredentialParameters/parameterName',
    'externalCredentialParameters/parameterType',
    'externalCredentialParameters/sequenceNumber',
    'label',
  ]),
  ExternalServiceRegistration: rows(39, 'Version: API 39.0; ExternalServiceOperation', [
    'description',
    'label',
    'namedCredential',
    'operations',
    'operations/active',
    'operations/name',
    'registrationProviderType',
    'schema',
    'schemaType',
    'schemaUploadFileExtension',
    'schemaUploadFileName',
    'status',
  ]),
  ExtlClntAppConfigurablePolicies: {
    ...rows(60, 'Version: API 60.0; isEnabled, isOauthPluginEnabled: "Available in API version 60.0 and later"', [
      'externalClientApplication',
      'isEnabled',
      'isOauthPluginEnabled',
      'label',
    ]),
    startPage: row(63, 'startPage: "Available in API version 63.0 and later"'),
  },
  ExtlClntAppGlobalOauthSettings: {
    ...rows(59, 'Version: API 59.0', [
      'callbackUrl',
      'externalClientApplication',
      'isPkceRequired',
      'label',
      'shouldRotateConsumerKey',
    ]),
    certificate: row(60, 'certificate: "Available in API version 60.0 and later"'),
  },
  ExtlClntAppOauthConfigurablePolicies: {
    ...rows(59, 'Version: API 59.0', [
      'commaSeparatedPermissionSet',
      'externalClientApplication',
      'ipRelaxationPolicyType',
      'label',
      'permittedUsersPolicyType',
      'sessionTimeoutInMinutes',
    ]),
    isClientCredentialsFlowEnabled: row(
      60,
      'isClientCredentialsFlowEnabled: "Available in API version 60.0 and later"',
    ),
  },
  ExtlClntAppOauthSettings: rows(59, 'Version: API 59.0', [
    'commaSeparatedOauthScopes',
    'externalClientApplication',
    'label',
  ]),
  Flow: {
    ...rows(24, 'Version: API 24.0 (Flow fields without a note)', [
      'assignments',
      'decisions',
      'description',
      'dynamicChoiceSets',
      'interviewLabel',
      'label',
      'recordUpdates',
      'screens',
      'status',
      'textTemplates',
      'variables',
    ]),
    apiVersion: row(50, 'Flow.apiVersion: "available in API version 50.0 and later"'),
    environments: row(55, 'Flow.environments: "available in API version 55.0 and later"'),
    processMetadataValues: row(31, 'Flow.processMetadataValues: "available in API version 31.0 and later"'),
    'processMetadataValues/name': row(31, 'FlowMetadataValue: "available in API version 31.0 and later"'),
    'processMetadataValues/value': row(31, 'FlowMetadataValue'),
    'processMetadataValues/value/stringValue': row(31, 'FlowMetadataValue.value: FlowElementReferenceOrValue'),
    processType: row(31, 'Flow.processType: "available in API version 31.0 and later"'),

    actionCalls: row(31, 'Flow.actionCalls, FlowActionCall: "available in API version 31.0 and later"'),
    ...node('actionCalls', 'FlowActionCall extends FlowNode'),
    ...rows(31, 'FlowActionCall (API 31.0)', [
      'actionCalls/actionName',
      'actionCalls/actionType',
      'actionCalls/connector',
      'actionCalls/connector/targetReference',
      'actionCalls/faultConnector',
      'actionCalls/faultConnector/targetReference',
      'actionCalls/inputParameters',
      'actionCalls/inputParameters/name',
      'actionCalls/inputParameters/value',
      'actionCalls/inputParameters/value/elementReference',
      'actionCalls/inputParameters/value/numberValue',
      'actionCalls/outputParameters',
      'actionCalls/outputParameters/assignToReference',
      'actionCalls/outputParameters/name',
    ]),
    'actionCalls/flowTransactionModel': row(51, 'FlowActionCall.flowTransactionModel: "available in API version 51.0"'),
    'actionCalls/storeOutputAutomatically': row(48, 'FlowActionCall.storeOutputAutomatically: API 48.0'),
    // Flow Builder still writes it, but the reference lists it for 58.0 to 61.0 only: "deprecated in API version 62.0
    // and later". Past 61.0 an action is named by actionName and actionType alone, as before 58.0.
    'actionCalls/nameSegment': row(58, 'FlowActionCall.nameSegment: "available in API version 58.0 to 61.0"', 61),

    ...node('assignments', 'FlowAssignment extends FlowNode'),
    ...rows(24, 'FlowAssignment, FlowAssignmentItem, FlowConnector, FlowElementReferenceOrValue', [
      'assignments/assignmentItems',
      'assignments/assignmentItems/assignToReference',
      'assignments/assignmentItems/operator',
      'assignments/assignmentItems/value',
      'assignments/assignmentItems/value/elementReference',
      'assignments/assignmentItems/value/stringValue',
      'assignments/connector',
      'assignments/connector/targetReference',
    ]),

    ...node('decisions', 'FlowDecision extends FlowNode'),
    ...rows(24, 'FlowDecision, FlowRule (FlowElement), FlowCondition, FlowConnector, FlowElementReferenceOrValue', [
      'decisions/defaultConnector',
      'decisions/defaultConnector/targetReference',
      'decisions/defaultConnectorLabel',
      'decisions/rules',
      'decisions/rules/conditionLogic',
      'decisions/rules/conditions',
      'decisions/rules/conditions/leftValueReference',
      'decisions/rules/conditions/operator',
      'decisions/rules/conditions/rightValue',
      'decisions/rules/conditions/rightValue/booleanValue',
      'decisions/rules/conditions/rightValue/numberValue',
      'decisions/rules/conditions/rightValue/stringValue',
      'decisions/rules/connector',
      'decisions/rules/connector/targetReference',
      'decisions/rules/label',
      'decisions/rules/name',
    ]),

    ...rows(24, 'FlowDynamicChoiceSet (FlowElement)', [
      'dynamicChoiceSets/dataType',
      'dynamicChoiceSets/displayField',
      'dynamicChoiceSets/name',
      'dynamicChoiceSets/object',
      'dynamicChoiceSets/valueField',
    ]),
    'dynamicChoiceSets/collectionReference': row(54, 'FlowDynamicChoiceSet.collectionReference: API 54.0'),

    ...node('recordUpdates', 'FlowRecordUpdate extends FlowNode'),
    ...rows(24, 'FlowRecordUpdate, FlowRecordFilter, FlowInputFieldAssignment', [
      'recordUpdates/filters',
      'recordUpdates/filters/field',
      'recordUpdates/filters/operator',
      'recordUpdates/filters/value',
      'recordUpdates/filters/value/elementReference',
      'recordUpdates/inputAssignments',
      'recordUpdates/inputAssignments/field',
      'recordUpdates/inputAssignments/value',
      'recordUpdates/inputAssignments/value/elementReference',
      'recordUpdates/object',
    ]),

    ...node('screens', 'FlowScreen extends FlowNode'),
    ...rows(24, 'FlowScreen, FlowScreenField (FlowElement), FlowInputValidationRule, FlowConnector', [
      'screens/connector',
      'screens/connector/targetReference',
      'screens/fields',
      'screens/fields/choiceReferences',
      'screens/fields/dataType',
      'screens/fields/fieldText',
      'screens/fields/fieldType',
      'screens/fields/isRequired',
      'screens/fields/name',
      'screens/fields/scale',
      'screens/fields/validationRule',
      'screens/fields/validationRule/errorMessage',
      'screens/fields/validationRule/formulaExpression',
    ]),
    ...rows(26, 'FlowScreen.allowBack, allowFinish: "available in API version 26.0 and later"', [
      'screens/allowBack',
      'screens/allowFinish',
    ]),
    'screens/allowPause': row(33, 'FlowScreen.allowPause: "available in API version 33.0 and later"'),
    ...rows(42, 'FlowScreen.showFooter, showHeader: "available in API version 42.0 and later"', [
      'screens/showFooter',
      'screens/showHeader',
    ]),

    // FlowStart "extends FlowNode and inherits all its fields except name and label".
    ...rows(47, 'FlowStart: "available in API version 47.0 and later"', [
      'start',
      'start/connector',
      'start/connector/targetReference',
      'start/locationX',
      'start/locationY',
      'start/object',
      'start/triggerType',
    ]),

    ...rows(24, 'FlowTextTemplate (FlowElement)', [
      'textTemplates/isViewedAsPlainText',
      'textTemplates/name',
      'textTemplates/text',
    ]),

    ...rows(24, 'FlowVariable (FlowElement)', [
      'variables/dataType',
      'variables/description',
      'variables/name',
      'variables/scale',
    ]),
    ...rows(25, 'FlowVariable.isInput, isOutput: "available in API version 25.0 and later"', [
      'variables/isInput',
      'variables/isOutput',
    ]),
    'variables/isCollection': row(30, 'FlowVariable.isCollection: "available in API version 30.0 and later"'),
    'variables/apexClass': row(46, 'FlowVariable.apexClass: "available in API version 46.0 and later"'),
  },
  NamedCredential: {
    label: row(33, 'Version: API 33.0'),
    ...rows(41, 'allowMergeFieldsInBody, allowMergeFieldsInHeader, generateAuthorizationHeader: API 41.0', [
      'allowMergeFieldsInBody',
      'allowMergeFieldsInHeader',
      'generateAuthorizationHeader',
    ]),
    calloutStatus: row(59, 'calloutStatus: "available in API version 59.0 and later"'),
    ...rows(56, 'namedCredentialType, namedCredentialParameters, NamedCredentialParameter: API 56.0', [
      'namedCredentialParameters',
      'namedCredentialParameters/externalCredential',
      'namedCredentialParameters/parameterName',
      'namedCredentialParameters/parameterType',
      'namedCredentialParameters/parameterValue',
      'namedCredentialType',
    ]),
  },
  PermissionSet: {
    ...rows(22, 'Version: API 22.0', ['description', 'label']),
    hasActivationRequired: row(37, 'hasActivationRequired: "Available in API version 37.0 and later"'),
    ...rows(59, 'externalCredentialPrincipalAccesses, PermissionSetExternalCredentialPrincipalAccess: API 59.0', [
      'externalCredentialPrincipalAccesses',
      'externalCredentialPrincipalAccesses/enabled',
      'externalCredentialPrincipalAccesses/externalCredentialPrincipal',
    ]),
    ...rows(23, 'fieldPermissions, objectPermissions: "Available in API version 23.0 and later"', [
      'fieldPermissions',
      'fieldPermissions/editable',
      'fieldPermissions/field',
      'fieldPermissions/readable',
      'objectPermissions',
      'objectPermissions/allowCreate',
      'objectPermissions/allowDelete',
      'objectPermissions/allowEdit',
      'objectPermissions/allowRead',
      'objectPermissions/modifyAllRecords',
      'objectPermissions/object',
      'objectPermissions/viewAllRecords',
    ]),
    'objectPermissions/viewAllFields': row(63, 'PermissionSetObjectPermissions.viewAllFields: API 63.0'),
  },
  // In API 45.0 and 46.0 the selections were part of PlatformEventChannel; from 47.0 each is a member of its own.
  PlatformEventChannelMember: rows(47, 'Version: "available in API version 47.0 and later"', [
    'eventChannel',
    'selectedEntity',
  ]),
}
